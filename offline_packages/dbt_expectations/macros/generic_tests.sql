{#- Stand-ins for dbt_expectations' generic tests, written from their documented behaviour. -#}

{#- True where `pattern` is found in `column` (a search, not a full match). -#}
{% macro regexp_found(column, pattern, is_raw=false, flags='') %}
    {{ return(adapter.dispatch('regexp_found', 'dbt_expectations')(column, pattern, is_raw, flags)) }}
{% endmacro %}

{% macro default__regexp_found(column, pattern, is_raw, flags) -%}
    regexp_instr({{ column }}, {{ "r" if is_raw }}'{{ pattern }}', 1, 1, 0, '{{ flags or "c" }}') > 0
{%- endmacro %}

{% macro duckdb__regexp_found(column, pattern, is_raw, flags) -%}
    regexp_matches({{ column }}, '{{ pattern }}'{{ ", '" ~ flags ~ "'" if flags }})
{%- endmacro %}

{% macro snowflake__regexp_found(column, pattern, is_raw, flags) -%}
    regexp_instr({{ column }}, '{{ pattern }}', 1, 1, 0, '{{ flags or "c" }}') > 0
{%- endmacro %}

{#- Fails on values in which the regex is not found. Nulls are not failures. -#}
{% test expect_column_values_to_match_regex(model, column_name, regex, row_condition=none,
                                            is_raw=false, flags='') %}
    select *
    from {{ model }}
    where {{ column_name }} is not null
      and not ({{ dbt_expectations.regexp_found(column_name, regex, is_raw, flags) }})
      {%- if row_condition %}
      and ({{ row_condition }})
      {%- endif %}
{% endtest %}

{#- Fails on values outside [min_value, max_value]; `strictly` makes the bounds exclusive.
    Nulls are not failures. -#}
{% test expect_column_values_to_be_between(model, column_name, min_value=none, max_value=none,
                                           row_condition=none, strictly=false) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("expect_column_values_to_be_between needs a bound") }}
    {%- endif %}
    select *
    from {{ model }}
    where not (1 = 1
        {%- if min_value is not none %}
        and {{ column_name }} {{ '>' if strictly else '>=' }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        and {{ column_name }} {{ '<' if strictly else '<=' }} {{ max_value }}
        {%- endif %}
    )
    {%- if row_condition %}
      and ({{ row_condition }})
    {%- endif %}
{% endtest %}

{#- Fails when the model's row count differs from factor x the other model's (optionally per
    group, each side filtered by its row condition). -#}
{% test expect_table_row_count_to_equal_other_table(model, compare_model, group_by=none,
        compare_group_by=none, factor=1, row_condition=none, compare_row_condition=none) %}
    {%- set groups = group_by or [] -%}
    {%- set compare_groups = compare_group_by or groups -%}
    with model_counts as (
        select {% for g in groups %}{{ g }} as group_{{ loop.index }}, {% endfor -%}
            count(*) as n_rows
        from {{ model }}
        {%- if row_condition %} where {{ row_condition }}{% endif %}
        {%- if groups %} group by {{ groups | join(', ') }}{% endif %}
    ),

    compare_counts as (
        select {% for g in compare_groups %}{{ g }} as group_{{ loop.index }}, {% endfor -%}
            count(*) as n_rows
        from {{ compare_model }}
        {%- if compare_row_condition %} where {{ compare_row_condition }}{% endif %}
        {%- if compare_groups %} group by {{ compare_groups | join(', ') }}{% endif %}
    )

    select
        model_counts.n_rows as model_rows,
        compare_counts.n_rows as compare_rows
    from model_counts
    full outer join compare_counts
        on {% for g in groups %}model_counts.group_{{ loop.index }}
            = compare_counts.group_{{ loop.index }} and {% endfor %}1 = 1
    where coalesce(model_counts.n_rows, 0) != {{ factor }} * coalesce(compare_counts.n_rows, 0)
{% endtest %}
