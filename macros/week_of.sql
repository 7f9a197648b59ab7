{#-
    week_of(timestamp_column): the Monday of the week a timestamp falls in, as a date: ISO weeks,
    the same on every adapter, which dbt.date_trunc('week', ...) alone does not promise.
      default:   date_trunc to the week, which starts on Monday in DuckDB (and Postgres-like
                 engines);
      snowflake: steps back from the date by its ISO day of the week (see below).
-#}
{% macro week_of(timestamp_column) -%}
    {{ return(adapter.dispatch('week_of', 'greenery')(timestamp_column)) }}
{%- endmacro %}

{% macro default__week_of(timestamp_column) -%}
    cast({{ dbt.date_trunc('week', timestamp_column) }} as date)
{%- endmacro %}

{#- Snowflake's date_trunc('week') starts the week on the session's WEEK_START parameter, which
    an account, user or session may set to any day. DAYOFWEEKISO is not governed by WEEK_START
    (Monday 1 .. Sunday 7), so stepping back from the date by it gives Monday whatever the
    session says. With the default WEEK_START (0) the result equals date_trunc's. -#}
{% macro snowflake__week_of(timestamp_column) -%}
    {%- set day = 'cast(' ~ timestamp_column ~ ' as date)' -%}
    cast({{ dbt.dateadd('day', '1 - dayofweekiso(' ~ timestamp_column ~ ')', day) }} as date)
{%- endmacro %}
