-- Every session of the events is in fct_sessions, and nothing else is: the incremental merges
-- lose no session and invent none.
with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_greenery__events') }}

),

sessions as {{ not_materialized() }} (

    select * from {{ ref('fct_sessions') }}

),

-- on a night, the sessions of the events that arrived since the last published run, and the
-- sessions the night wrote (in_night_window); all of them otherwise
event_sessions as (

    select distinct session_id
    from events
    where {{ in_night_window('created_at') }}

),

all_event_sessions as (

    select distinct session_id
    from events

),

missing_sessions as (

    select
        session_id,
        'missing from fct_sessions' as problem

    from event_sessions
    where session_id not in (select sessions.session_id from sessions)

),

invented_sessions as (

    select
        session_id,
        'not in the events' as problem

    from sessions
    where
        {{ in_night_window('dbt_loaded_at') }}
        and session_id not in (select all_event_sessions.session_id from all_event_sessions)

),

final as (

    select * from missing_sessions
    union all
    select * from invented_sessions

)

select * from final
