{#-
    events_of_sessions_to_build(events, session_timestamp): the events a session model
    aggregates. On an incremental run, every event of the sessions that have an event inside the
    lookback window (incremental_cutoff), so each touched session is recomputed whole; on a full
    build, all events. `events` is the model's events CTE; `session_timestamp` the model's
    last-event column.
-#}
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
