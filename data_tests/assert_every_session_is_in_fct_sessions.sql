-- Every session of the events is in fct_sessions, and nothing else is: the incremental merges
-- lose no session and invent none.
with

events as (

    select * from {{ ref('stg_greenery__events') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

event_sessions as (

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
    where session_id not in (select event_sessions.session_id from event_sessions)

),

final as (

    select * from missing_sessions
    union all
    select * from invented_sessions

)

select * from final
