"""The ops layer: what runs around a job and what on-call reads.

- `outcome.py`: a run's summary, its steps and nodes, and the documented exit codes;
- `lock.py`: one writer at a time per warehouse;
- `runlog.py`: the run history (runs and node timings, in the warehouse file);
- `notify.py`: the webhook notification of a run;
- `doctor.py`: `greenery doctor`, the checks of the installation, profile and environment.

It builds on the dbt and warehouse layers (doctor checks both, the run history lives in the
warehouse file) and never runs a job.
"""
