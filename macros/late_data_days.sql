{#-
    late_data_days(): the late-data window in whole days, plus one for the day boundary: how far
    back from its newest day an incremental funnel recomputes days and weeks whatever changed
    (in_trailing_partitions). From var event_lookback_hours: 48 hours -> 3 days.
-#}
{% macro late_data_days() -%}
    {{ return(((var('event_lookback_hours') | float / 24) | round(0, 'ceil') | int) + 1) }}
{%- endmacro %}
