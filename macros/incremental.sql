{#-
    Late events: an incremental run reprocesses everything from `event_lookback_hours` before
    the newest timestamp already in the model, so events that arrive late but within the window
    are merged in. Returns a scalar subquery.
-#}
{% macro incremental_cutoff(timestamp_column) -%}
    (
        select {{ dbt.dateadd('hour', -1 * var('event_lookback_hours'), 'max(' ~ timestamp_column ~ ')') }}
        from {{ this }}
    )
{%- endmacro %}

{#- Monday of the week a timestamp falls in, as a date. -#}
{% macro week_of(timestamp_column) -%}
    cast({{ dbt.date_trunc('week', timestamp_column) }} as date)
{%- endmacro %}
