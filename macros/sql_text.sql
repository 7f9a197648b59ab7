{#-
    sql_text(value): a value as an SQL string literal quoted by the adapter's own rule
    (string_literal), or `null` for none; the weekly history replay (apply_weekly_history)
    writes its values with it.
-#}
{% macro sql_text(value) -%}
    {{- "null" if value is none else string_literal(value) -}}
{%- endmacro %}
