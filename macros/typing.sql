{#- Column typing shared by the staging models, the same on every warehouse. -#}

{#- Money: numeric with two decimals (the raw columns are floats). -#}
{% macro money(column) -%}
    cast(round({{ column }}, 2) as {{ api.Column.numeric_type('numeric', 18, 2) }})
{%- endmacro %}

{#- Timestamps are naive UTC (TIMESTAMP_NTZ on Snowflake). -#}
{% macro utc_timestamp(column) -%}
    cast({{ column }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Zip codes are stored as numbers and lose leading zeros (2203 for 02203): restore them. -#}
{% macro zipcode_text(column) -%}
    lpad(cast({{ column }} as {{ dbt.type_string() }}), 5, '0')
{%- endmacro %}
