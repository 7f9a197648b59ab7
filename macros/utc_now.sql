{#-
    utc_now(): the wall clock in UTC as a naive timestamp, for `dbt_loaded_at`: when a row of an
    incremental model was (re)computed. Downstream incremental models read the rows their
    inputs wrote since they last ran by it (changed_since_last_build), and a night's data tests
    read the rows the night wrote by it (get_where_subquery).
      duckdb:    now() at time zone 'UTC' (now() is a timestamp with time zone);
      snowflake: the current time converted to UTC, as TIMESTAMP_NTZ (the session's time zone
                 is any, America/Los_Angeles by default);
      default:   dbt's current_timestamp, cast to a timestamp.
-#}
{% macro utc_now() -%}
    {{ return(adapter.dispatch('utc_now', 'greenery')()) }}
{%- endmacro %}

{% macro default__utc_now() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__utc_now() -%}
    cast(now() at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro snowflake__utc_now() -%}
    cast(convert_timezone('UTC', current_timestamp) as timestamp_ntz)
{%- endmacro %}
