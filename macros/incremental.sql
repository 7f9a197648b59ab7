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

{#- Sessions with an event inside the lookback window: an incremental run recomputes them whole.
    `events` is the model's events CTE; `session_timestamp` the model's last-event column. -#}
{% macro sessions_touched_since_cutoff(events, session_timestamp) -%}
    select distinct session_id
    from {{ events }}
    where created_at >= {{ incremental_cutoff(session_timestamp) }}
{%- endmacro %}
