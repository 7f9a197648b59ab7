{#-
    utc_timestamp(column): a timestamp column as a naive UTC timestamp (TIMESTAMP_NTZ on
    Snowflake), through dbt's type_timestamp. Column typing shared by the staging models, the
    same on every warehouse.
-#}
{% macro utc_timestamp(column) -%}
    cast({{ column }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
