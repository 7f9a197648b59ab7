{#-
    epoch(): a timestamp before any data (1900-01-01): what "the newest row of this model" is
    when the model has no rows, so an empty incremental model takes every input row.
-#}
{% macro epoch() -%}
    cast('1900-01-01 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}
