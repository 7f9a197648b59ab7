{#-
    newer_than_built(column, built_column): the condition, for the input rows, of `column` later
    than the newest `built_column` of this model's own rows: what changed since the model last
    ran. That newest value is read when the model compiles and written as a literal, so the
    warehouse can skip whole blocks of an input stored in time order. Every row when this model
    has none (epoch), or when it was built before it had `built_column` (the run then rebuilds
    it whole, and adds the column). Only inside `{% if is_incremental() %}`.
-#}
{% macro newer_than_built(column, built_column) -%}
    {%- if not execute -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set built = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if built_column | lower not in built -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set newest = run_query('select max(' ~ built_column ~ ') from ' ~ this).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return(column ~ ' > ' ~ epoch()) }}
    {%- endif -%}
    {{ return(column ~ ' > ' ~ timestamp_literal(newest)) }}
{%- endmacro %}
