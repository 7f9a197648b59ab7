"""A dbt-duckdb plugin: plain `dbt build` on a new embedded warehouse loads the sample first.

The `dev` and `ci_local` outputs in profiles.yml list this module
(`greenery.warehouse.dbt_plugin`) under `plugins:`. It lives with the warehouse, not with the
dbt runner: it is dbt-duckdb that calls it, and what it does is fill the warehouse. dbt-duckdb
calls the plugin whenever it opens the warehouse file (BasePlugin in dbt-duckdb):

- `update_connection_config`, just before `duckdb.connect`: the file's folder is created, so a
  fresh clone (or any GREENERY_DUCKDB_PATH) needs no `mkdir`;
- `configure_connection`, on the new connection: DuckDB's memory limit becomes the warehouse's
  memory budget (`database.memory_limit`: $GREENERY_DUCKDB_MEMORY_LIMIT, else half of the
  machine's memory; a `settings:` entry of the profile, applied later, still wins), as a
  setting rather than a connection option, so greenery's own connections to the same file in
  the same process open it with the same configuration; and when the raw tables are absent,
  the sample is loaded on that connection exactly as `greenery build` loads it (seed 42, scale 1,
  `datasets.DEFAULT_WEEKS` weeks; `sample_weeks` in the plugin's config overrides the weeks),
  in one transaction. A warehouse that has raw tables is never touched.

So in a fresh clone `dbt build` works with nothing before it but `pip install -e .` and the dbt
packages; the greenery jobs load the sample before dbt starts, so for them this is a no-op.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.events.logging import AdapterLogger

from greenery.warehouse import database, datasets, loader

logger = AdapterLogger("greenery")
SEED = 42


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.weeks = int(plugin_config.get("sample_weeks", datasets.DEFAULT_WEEKS))

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        path = str(creds.path or "")
        if path and path != ":memory:" and ":" not in path.split("/")[0]:
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        # on a cursor of dbt's connection, closed afterwards: a query run on the connection
        # itself (which dbt-duckdb drops without closing) left a later `force checkpoint` on
        # the same file, in the same process, spinning forever (DuckDB 2.0, greenery's tests)
        with conn.cursor() as cursor:
            cursor.execute(f"set memory_limit = '{database.memory_limit()}'")
            if not loader.raw_tables_present(cursor):
                self.load_sample(cursor)

    def load_sample(self, con: duckdb.DuckDBPyConnection) -> None:
        logger.info(
            f"greenery: no raw tables in {self.creds.path if self.creds else 'the warehouse'}: "
            f"loading the sample dataset ({self.weeks} weeks, scale 1)"
        )
        counts = datasets.publish_sample(database.quiet(con), 1, SEED, self.weeks)
        logger.info("greenery: loaded " + ", ".join(f"raw.{t} {n}" for t, n in counts.items()))
