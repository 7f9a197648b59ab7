{#-
    The shared event-sum macro, used by both session grains (session, and session x product).

    sum_events(event_types) emits one column per event type for the current grouping, in the
    order of `event_types` (see event_types.sql): n_<type>, the number of events of that type.
-#}

{% macro sum_events(event_types, event_type_column='event_type') -%}
    {%- for event_type in event_types %}
        {%- set is_type = event_type_column ~ " = " ~ string_literal(event_type) %}
        sum(case when {{ is_type }} then 1 else 0 end) as n_{{ event_column(event_type) }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
