{#-
    zipcode_text(column): a zip code as five-character text. The raw zip codes are numbers and
    lose their leading zeros (2203 for 02203): lpad restores them. Column typing shared by the
    staging models, the same on every warehouse.
-#}
{% macro zipcode_text(column) -%}
    lpad(cast({{ column }} as {{ dbt.type_string() }}), 5, '0')
{%- endmacro %}
