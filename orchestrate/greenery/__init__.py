"""Greenery analytics: the sample warehouse, the dbt project's runner and the greenery CLI.

The package is in layers, and imports point one way, from the top down (tests/test_project.py
checks it):

- `cli.py`: the `greenery` command; parses options, configures logging, prints results;
- `jobs/`: what the commands run (build, ci, run-job and retry, replay) and the skeleton they
  share;
- `report/`: the funnel report (reads the marts, writes one HTML file);
- `ops/`: what runs around a job: outcome and exit codes, the lock, the run history,
  notifications, doctor;
- `warehouse/`: the embedded DuckDB warehouse and its data (sample, history, arrivals, loader,
  scale, write-audit-publish of the file, the dbt-duckdb plugin);
- `dbt/`: the dbt project and profile, the in-process dbt runner and the dbt packages.

`emulator.py`, the offline Snowflake emulator, is a test device apart from the layers: no
production module imports it (the CLI's --snowflake-emulator imports it when it is given).
"""
