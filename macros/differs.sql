{#-
    differs(columns, left, right): true when a row of `left` and the row of `right` it is joined
    to differ in any of `columns` (nulls compared as values, `is distinct from`), or `right` has
    no such row. An incremental model that recomputes more rows than changed writes only these,
    so the `dbt_loaded_at` of its unchanged rows, and what reads them, stays as it was.
-#}
{% macro differs(columns, left, right) -%}
    (
        {{ right }}.{{ columns[0] }} is null
        {%- for column in columns %}
        or {{ left }}.{{ column }} is distinct from {{ right }}.{{ column }}
        {%- endfor %}
    )
{%- endmacro %}
