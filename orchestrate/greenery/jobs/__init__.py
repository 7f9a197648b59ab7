"""The jobs layer: what the CLI's commands run.

- `build.py`: `greenery build`, the main job;
- `ci.py`: `greenery ci`, a build in per-run schemas (slim with --state);
- `run_job.py`: `greenery run-job`, the scheduled production job, and `greenery retry`;
- `replay.py`: `greenery replay`, the weekly history replayed and snapshotted;
- `skeleton.py`: what every job shares: prepare, lock, run, classify, record;
- `audit.py`: write-audit-publish of a job's build, embedded or on Snowflake;
- `options.py`: the dbt options a job passes on.

Jobs use the layers below them (ops, warehouse, dbt) and the report; nothing below imports a
job.
"""
