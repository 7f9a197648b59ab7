{#-
    timestamp_literal(value): a date or timestamp read from the warehouse, as SQL that casts its
    ISO text back (`cast('2021-02-13 00:00:00' as timestamp)`), for the thresholds an incremental
    model reads when it compiles.
-#}
{% macro timestamp_literal(value) -%}
    {%- if value.hour is defined -%}
        {{ return("cast('" ~ value.isoformat(sep=' ') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
    {%- endif -%}
    {{ return("cast('" ~ value.isoformat() ~ "' as date)") }}
{%- endmacro %}
