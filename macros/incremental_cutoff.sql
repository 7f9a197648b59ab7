{#-
    incremental_cutoff(timestamp_column): where an incremental run starts reading, for late
    events. A run reprocesses everything from `event_lookback_hours` before the newest
    `timestamp_column` already in the model (`this`), so events that arrive late but within
    the window are merged in. Returns a scalar subquery.
-#}
{% macro incremental_cutoff(timestamp_column) -%}
    (
        select {{ dbt.dateadd('hour', -1 * var('event_lookback_hours'), 'max(' ~ timestamp_column ~ ')') }}
        from {{ this }}
    )
{%- endmacro %}
