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

{#- Monday of the week a timestamp falls in, as a date (ISO weeks, on every adapter). -#}
{% macro week_of(timestamp_column) -%}
    {{ return(adapter.dispatch('week_of', 'greenery')(timestamp_column)) }}
{%- endmacro %}

{#- DuckDB (and Postgres-like engines) truncate to the ISO week, which starts on Monday. -#}
{% macro default__week_of(timestamp_column) -%}
    cast({{ dbt.date_trunc('week', timestamp_column) }} as date)
{%- endmacro %}

{#- Snowflake's date_trunc('week') starts the week on the session's WEEK_START parameter, which
    an account, user or session may set to any day. DAYOFWEEKISO is not governed by WEEK_START
    (Monday 1 .. Sunday 7), so stepping back from the date by it gives Monday whatever the
    session says. With the default WEEK_START (0) the result equals date_trunc's. -#}
{% macro snowflake__week_of(timestamp_column) -%}
    {%- set day = 'cast(' ~ timestamp_column ~ ' as date)' -%}
    cast({{ dbt.dateadd('day', '1 - dayofweekiso(' ~ timestamp_column ~ ')', day) }} as date)
{%- endmacro %}

{#- The events a session model aggregates: on an incremental run, every event of the sessions
    that have an event inside the lookback window (each session recomputed whole); on a full
    build, all events. `events` is the model's events CTE; `session_timestamp` the model's
    last-event column. -#}
{% macro events_of_sessions_to_build(events, session_timestamp) -%}
    {%- if is_incremental() -%}
    select {{ events }}.*
    from {{ events }}
    where {{ events }}.session_id in (
            select touched.session_id
            from {{ events }} as touched
            where touched.created_at >= {{ incremental_cutoff(session_timestamp) }}
        )
    {%- else -%}
    select * from {{ events }}
    {%- endif -%}
{%- endmacro %}
