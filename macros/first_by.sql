{#-
    The value of the row that comes first by `order_by` (ties broken by `tie_breaker`), among
    the rows where `value` is not null: an aggregate, so "the first product of a session" needs
    no window function and no second pass over the events.

      DuckDB:    arg_min(value, struct(order_by, tie_breaker))
      Snowflake: min_by(value, order_by as fixed-width text || tie_breaker)

    Both ignore rows whose ordering key is null, which is how rows without a value are skipped.
-#}
{% macro first_by(value, order_by, tie_breaker) -%}
    {{ return(adapter.dispatch('first_by', 'greenery')(value, order_by, tie_breaker)) }}
{%- endmacro %}

{% macro default__first_by(value, order_by, tie_breaker) -%}
    min_by(
        {{ value }},
        case when {{ value }} is not null then
            {{ dbt.concat([dbt.safe_cast(order_by, dbt.type_string()), tie_breaker]) }}
        end
    )
{%- endmacro %}

{% macro duckdb__first_by(value, order_by, tie_breaker) -%}
    arg_min(
        {{ value }},
        case when {{ value }} is not null then
            struct_pack(order_key := {{ order_by }}, tie_key := {{ tie_breaker }})
        end
    )
{%- endmacro %}

{% macro snowflake__first_by(value, order_by, tie_breaker) -%}
    min_by(
        {{ value }},
        case when {{ value }} is not null then
            to_varchar({{ order_by }}, 'YYYY-MM-DD HH24:MI:SS.FF9') || {{ tie_breaker }}
        end
    )
{%- endmacro %}
