{#-
    in_trailing_partitions(partition_column, days, this_column): the condition, for an input's
    rows, of a day or week (`partition_column`) no more than `days` days before the newest one
    this model holds (its `this_column`, by default the same name), read when the model compiles
    and written as a literal. The incremental funnels recompute those partitions whatever
    changed: a late event can start a session earlier, and so move it to an earlier day or week,
    but only inside the late-data window (var event_lookback_hours, late_data_days), which these
    partitions cover. Only inside `{% if is_incremental() %}`.
-#}
{% macro in_trailing_partitions(partition_column, days, this_column=none) -%}
    {%- if not execute -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set newest = run_query(
        'select max(' ~ (this_column or partition_column.split('.')[-1]) ~ ') from ' ~ this
    ).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set start = newest - modules.datetime.timedelta(days=days) -%}
    {{ return(partition_column ~ ' >= ' ~ timestamp_literal(start)) }}
{%- endmacro %}
