"""The dbt layer: the project and its profile, the in-process runner, the dbt packages.

- `project.py`: where the project and its profile are, what a target is (type, schema);
- `runner.py`: `Dbt`, one project and target, running dbt commands in this process;
- `packages.py`: the dbt packages, from the hub or the offline stand-ins.

It knows nothing of the warehouse's data: the layers above it (warehouse, ops, jobs) use it.
"""
