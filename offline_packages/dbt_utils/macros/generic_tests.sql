{#- Stand-ins for dbt_utils' generic tests, written from their documented behaviour. -#}

{#- Fails on each combination of the columns that occurs more than once. -#}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
    {%- set columns = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do columns.append(adapter.quote(column) if quote_columns else column) -%}
    {%- endfor %}
    select {{ columns | join(', ') }}, count(*) as n_records
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{#- Fails on values outside [min_value, max_value] (exclusive bounds with inclusive=false).
    Nulls are not failures. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("accepted_range needs min_value or max_value") }}
    {%- endif %}
    select *
    from {{ model }}
    where not (1 = 1
        {%- if min_value is not none %}
        and {{ column_name }} {{ '>=' if inclusive else '>' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        and {{ column_name }} {{ '<=' if inclusive else '<' }} {{ max_value }}
        {%- endif %}
    )
{% endtest %}

{#- Fails on rows where the expression is false; with a column, the expression follows it. -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not ({{ column_name ~ ' ' if column_name is not none }}{{ expression }})
{% endtest %}
