{#-
    Stand-in for dbt_utils.safe_divide, written from its documented behaviour:
    safe_divide(numerator, denominator) is `( numerator ) / nullif( ( denominator ), 0)`, so a
    zero denominator gives null instead of a division error. Both arguments are SQL expressions,
    each kept in its own parentheses. It does not cast: the quotient has the type the adapter's
    `/` gives its operands. Dispatched, like the package's cross-database macros, so a project's
    `dispatch` search order can override it.
-#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'dbt_utils')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    ( {{ numerator }} ) / nullif( ( {{ denominator }} ), 0)
{%- endmacro %}
