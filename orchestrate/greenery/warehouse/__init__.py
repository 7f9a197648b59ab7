"""The warehouse layer: the embedded DuckDB warehouse and the data that fills it.

- `database.py`: the DuckDB file: where it lives, connect, copy, whether it holds raw data;
- `datasets.py`: filling it: the generated sample (any scale and number of weeks) or a CSV
  export, and the sample written as a CSV export;
- `loader.py`: staging, validating and publishing raw rows in one transaction;
- `facts.py` and `data/`: the published facts, the raw-table contract and the weekly history;
- `sample/`: the published week, planned step by step (people, baskets, orders, browsing,
  events) to reproduce every published figure;
- `activity.py`, `weeks.py`, `arrivals.py`: simulated shop activity, the weeks before the
  published one, and the days after it (`greenery arrive`);
- `rows.py`: the raw tables' rows as named records; `names.py` and `data/names.yml`: the
  invented names, streets and zip codes people and places are made of;
- `scale.py`: larger samples made inside DuckDB;
- `clock.py`: the data clock, the simulated "now" of the raw data;
- `wap.py`: write-audit-publish of the DuckDB file (stage, publish, keep a failed copy);
- `dbt_plugin.py`: the dbt-duckdb plugin that loads the sample for plain `dbt build`.

It uses the dbt layer only to find the project (`dbt/project.py`), never to run dbt.
"""
