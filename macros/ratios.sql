{#- numerator / denominator as a double, null when the denominator is zero. -#}
{% macro safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

{#- The share lost between two funnel steps: 1 - rate, null when the rate is. -#}
{% macro dropoff(numerator, denominator) -%}
    1 - {{ safe_ratio(numerator, denominator) }}
{%- endmacro %}

{#- Whole hours between two timestamps (delivery times are whole days in greenery). -#}
{% macro hours_between(start, finish) -%}
    {{ dbt.datediff(start, finish, 'hour') }}
{%- endmacro %}
