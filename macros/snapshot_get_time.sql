{#-
    duckdb__snapshot_get_time(), snowflake__snapshot_get_time(): this project's implementations
    of dbt's snapshot_get_time, the time a snapshot records as dbt_valid_from / dbt_valid_to /
    dbt_updated_at.

    In production it is the warehouse clock, as dbt does by default. An embedded warehouse's
    data clock (`greenery build`, `run-job`) and a replayed week (`greenery replay`) set
    $GREENERY_SNAPSHOT_AT to the simulated time instead (simulated_snapshot_time), so history
    reads as the days and weeks it simulates and replaying it twice gives identical tables. It is
    an environment variable, read only when a snapshot runs, so a new night's clock does not make
    dbt parse the project again (a changed var would); the var `snapshot_at`, when given, wins.
-#}
{% macro duckdb__snapshot_get_time() -%}
    {{ simulated_snapshot_time(dbt.current_timestamp() ~ '::timestamp') }}
{%- endmacro %}

{% macro snowflake__snapshot_get_time() -%}
    {{ simulated_snapshot_time('to_timestamp_ntz(' ~ dbt.current_timestamp() ~ ')') }}
{%- endmacro %}
