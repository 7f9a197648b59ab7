{#-
    How the incremental event models write a night's rows, per warehouse.

    DuckDB: delete+insert. Its MERGE rewrites the target row by row and, measured on 3.5 million
    events, took minutes where deleting the touched keys and inserting the new rows takes
    seconds. Snowflake: merge, its native upsert, one statement and atomic.
    Both are exact for these models: a touched session is recomputed whole from its events.
-#}
{% macro event_incremental_strategy() -%}
    {{ return(adapter.dispatch('event_incremental_strategy', 'greenery')()) }}
{%- endmacro %}

{% macro default__event_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{% macro duckdb__event_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}
