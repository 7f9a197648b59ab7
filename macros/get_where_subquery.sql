{#-
    get_where_subquery(relation): the rows a data test reads (dbt's macro, here extended; dbt
    documents overriding it). As dbt's: a test's `where` config filters the relation. And on
    a night of `greenery run-job` (docs/operations.md), a row-by-row test on a growing table
    reads only the rows that night wrote (night_window): an incremental model's rows stamped
    since the night began, and a source's or view's rows with an event time in the night's
    data window. Without the job's window (`greenery build`, CI, plain dbt, a full-test
    night) every test reads its whole table.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set window = night_window(relation) -%}
    {%- if window -%}
        {%- do conditions.append(window) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
