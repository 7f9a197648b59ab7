{#-
    not_materialized(): written between a CTE's name and its body (`events as
    {{ not_materialized() }} (...)`) where a query reads the CTE more than once. DuckDB then
    computes such a CTE once, whole, before the query, so a filter on one of its readers (the
    rows a night touched) no longer reaches the table: a night read every event. NOT
    MATERIALIZED keeps it a view, as a CTE read once is.
      duckdb:  not materialized
      default: nothing (Snowflake inlines CTEs itself and knows no such clause).
-#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'greenery')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
