{#-
    money(column): a money column as numeric(18, 2), rounded to cents (the raw columns are
    floats). Column typing shared by the staging models, the same on every warehouse.
-#}
{% macro money(column) -%}
    cast(round({{ column }}, 2) as {{ api.Column.numeric_type('numeric', 18, 2) }})
{%- endmacro %}
