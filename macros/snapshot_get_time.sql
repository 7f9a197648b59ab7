{#-
    The time a snapshot records as dbt_valid_from / dbt_valid_to / dbt_updated_at.

    In production it is the warehouse clock, as dbt does by default. When the weekly history is
    replayed (`greenery replay`), the var `snapshot_at` carries the simulated week boundary, so
    history reads as the weeks it simulates and replaying it twice gives identical tables.
-#}
{% macro simulated_snapshot_time(default_sql) -%}
    {%- if var('snapshot_at', none) -%}
        cast('{{ var("snapshot_at") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ default_sql }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__snapshot_get_time() -%}
    {{ simulated_snapshot_time(dbt.current_timestamp() ~ '::timestamp') }}
{%- endmacro %}

{% macro snowflake__snapshot_get_time() -%}
    {{ simulated_snapshot_time('to_timestamp_ntz(' ~ dbt.current_timestamp() ~ ')') }}
{%- endmacro %}
