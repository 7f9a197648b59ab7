{#-
    The shared event-sum macro, used by both session grains (session, and session x product).

    sum_events(event_types, kind) emits one column per event type for the current grouping, in the
    order of `event_types` (see event_types.sql):
      kind='count': n_<type>   = number of events of that type
      kind='flag':  has_<type> = whether any event of that type happened
-#}

{% macro sum_events(event_types, kind='count', event_type_column='event_type') -%}
    {%- if kind not in ('count', 'flag') -%}
        {{ exceptions.raise_compiler_error("sum_events: kind must be 'count' or 'flag', got " ~ kind) }}
    {%- endif -%}
    {%- for event_type in event_types %}
        {%- set is_type = event_type_column ~ " = " ~ string_literal(event_type) %}
        {%- if kind == 'count' %}
        sum(case when {{ is_type }} then 1 else 0 end) as n_{{ event_column(event_type) }}
        {%- else %}
        max(case when {{ is_type }} then 1 else 0 end) = 1 as has_{{ event_column(event_type) }}
        {%- endif %}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
