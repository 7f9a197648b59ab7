{#-
    A value as an SQL string literal, quoted by the adapter's own rule (dbt's dispatched
    escape_single_quotes): 'it''s' by default, 'it\'s' on Snowflake. In a Snowflake string a
    backslash is an escape character too, so the value's own backslashes are doubled first:
    otherwise `a\` would swallow the closing quote.
-#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'greenery')(value | string)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    {{ return("'" ~ dbt.escape_single_quotes(value) ~ "'") }}
{%- endmacro %}

{% macro snowflake__string_literal(value) -%}
    {{ return("'" ~ dbt.escape_single_quotes(value | replace('\\', '\\\\')) ~ "'") }}
{%- endmacro %}
