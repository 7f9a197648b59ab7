{#-
    events_of_sessions_to_build(events, session_timestamp): the events a session model
    aggregates. On an incremental run, every event of the sessions that have an event inside the
    lookback window (incremental_cutoff), so each touched session is recomputed whole; on a full
    build, all events. `events` is the model's events CTE; `session_timestamp` the model's
    last-event column.

    A touched session's events are no older than its start as this model holds it (or, for a
    session new tonight, the window): that bound lets the warehouse read only the newest blocks
    of the events, which the loader stores in time order, instead of every session id ever seen.
    A backfill (in_backfill) touches the sessions of its days too, and reads from its first day.
-#}
{% macro events_of_sessions_to_build(events, session_timestamp) -%}
    {%- if is_incremental() -%}
    {%- set backfilled = in_backfill('touched.created_at') -%}
    {%- set touched -%}
        select touched.session_id
        from {{ events }} as touched
        where
            touched.created_at >= {{ incremental_cutoff(session_timestamp) }}
            or {{ backfilled }}
    {%- endset -%}
    {%- if backfilled != 'false' -%}
        {#- a session of the first backfilled day may have begun the day before -#}
        {%- set first = modules.datetime.date.fromisoformat(var('backfill_from') | string) -%}
        {%- set earliest = timestamp_literal(first - modules.datetime.timedelta(days=1)) -%}
    {%- else -%}
        {%- set earliest = incremental_cutoff(session_timestamp) -%}
    {%- endif -%}
    select {{ events }}.*
    from {{ events }}
    where
        {{ events }}.created_at >= (
            select least(
                {{ earliest }},
                {{ incremental_cutoff(session_timestamp) }},
                coalesce(min(built.session_started_at), {{ incremental_cutoff(session_timestamp) }})
            )
            from {{ this }} as built
            where built.session_id in ({{ touched }})
        )
        and {{ events }}.session_id in ({{ touched }})
    {%- else -%}
    select * from {{ events }}
    {%- endif -%}
{%- endmacro %}
