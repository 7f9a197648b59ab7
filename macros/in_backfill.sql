{#-
    in_backfill(column): the condition of `column` on one of the days `greenery backfill`
    rebuilds (vars backfill_from and backfill_to, ISO dates, both included); `false` on every
    other run. The incremental event models add these days to the late-data window they
    recompute, for data that arrived after the window had moved past its days.
-#}
{% macro in_backfill(column) -%}
    {%- set first = var('backfill_from', none) -%}
    {%- if first is none -%}
        {{ return('false') }}
    {%- endif -%}
    {%- set start = modules.datetime.date.fromisoformat(first | string) -%}
    {%- set last = modules.datetime.date.fromisoformat(var('backfill_to', first) | string) -%}
    {%- set stop = last + modules.datetime.timedelta(days=1) -%}
    {{ return('(' ~ column ~ ' >= ' ~ timestamp_literal(start) ~ ' and ' ~ column ~ ' < ' ~ timestamp_literal(stop) ~ ')') }}
{%- endmacro %}
