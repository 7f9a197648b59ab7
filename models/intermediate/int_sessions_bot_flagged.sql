{{
    config(
        materialized='incremental',
        unique_key='session_id',
        incremental_strategy=event_incremental_strategy(),
        on_schema_change='append_new_columns'
    )
}}

{#-
    Suspected bots. A burst is a user's run of sessions, each started within
    var('bot_max_gap_seconds') of the one before. A burst of at least var('bot_min_sessions')
    sessions of which at most var('bot_max_conversion_rate') checked out is suspected bot
    traffic, and so is every session in it. See docs/suspected_bots.md for the reasoning.
-#}

with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_greenery__events') }}

),

-- A session: its user (the smallest user_id of its events), start and whether it checked out.
{% if is_incremental() -%}
-- An incremental run recomputes every session of each user touched by an event inside the
-- late-data window: a new session can join a burst that began before the window, so a user's
-- bursts are only right when all of the user's sessions are numbered together. The touched
-- sessions are aggregated from their events; the user's other sessions are as this model
-- holds them, so the night reads the newest events, not every event of those users. A
-- session's user can change (a late event of a smaller user_id), so the user a touched
-- session had before is recomputed too.
window_sessions as (

    select
        session_id,
        min(user_id) as user_id,
        min(created_at) as session_started_at,
        max(case when event_type = 'checkout' then 1 else 0 end) = 1 as is_converted

    from ({{ events_of_sessions_to_build('events', 'session_started_at') }}) as touched_events
    group by session_id

),

touched_users as (

    select user_id from window_sessions

    union

    select previous.user_id
    from {{ this }} as previous
    inner join window_sessions
        on previous.session_id = window_sessions.session_id

),

sessions as (

    select * from window_sessions

    union all

    select
        previous.session_id,
        previous.user_id,
        previous.session_started_at,
        previous.is_converted
    from {{ this }} as previous
    where
        previous.user_id in (select touched_users.user_id from touched_users)
        and previous.session_id not in (select window_sessions.session_id from window_sessions)

),
{%- else -%}
sessions as (

    select
        session_id,
        min(user_id) as user_id,
        min(created_at) as session_started_at,
        max(case when event_type = 'checkout' then 1 else 0 end) = 1 as is_converted

    from events
    group by session_id

),
{%- endif %}

sessions_with_gaps as (

    select
        *,
        {{ dbt.datediff(
            'lag(session_started_at) over (partition by user_id order by session_started_at, session_id)',
            'session_started_at',
            'second'
        ) }} as seconds_since_previous_session

    from sessions

),

sessions_in_bursts as (

    select
        *,
        -- a new burst starts at a user's first session and after every gap longer than allowed
        sum(
            case
                when seconds_since_previous_session is null then 1
                when seconds_since_previous_session > {{ var('bot_max_gap_seconds') }} then 1
                else 0
            end
        ) over (
            partition by user_id order by session_started_at, session_id
            rows between unbounded preceding and current row
        ) as burst_number

    from sessions_with_gaps

),

bursts as (

    select
        user_id,
        burst_number,
        count(*) as burst_sessions,
        min(session_started_at) as burst_started_at,
        max(session_started_at) as burst_last_session_started_at,
        {{ dbt_utils.safe_divide(
            'cast(sum(case when is_converted then 1 else 0 end) as double)', 'count(*)'
        ) }} as burst_conversion_rate

    from sessions_in_bursts
    group by user_id, burst_number

),

flagged_sessions as (

    select
        sessions_in_bursts.session_id,
        sessions_in_bursts.user_id,
        sessions_in_bursts.session_started_at,
        sessions_in_bursts.is_converted,
        sessions_in_bursts.seconds_since_previous_session,
        sessions_in_bursts.burst_number,
        bursts.burst_sessions,
        bursts.burst_started_at,
        bursts.burst_last_session_started_at,
        bursts.burst_conversion_rate,
        (
            bursts.burst_sessions >= {{ var('bot_min_sessions') }}
            and bursts.burst_conversion_rate <= {{ var('bot_max_conversion_rate') }}
        ) as is_suspected_bot

    from sessions_in_bursts
    inner join bursts
        on sessions_in_bursts.user_id = bursts.user_id
            and sessions_in_bursts.burst_number = bursts.burst_number

),

{%- set columns = [
    'user_id', 'session_started_at', 'is_converted', 'seconds_since_previous_session',
    'burst_number', 'burst_sessions', 'burst_started_at', 'burst_last_session_started_at',
    'burst_conversion_rate', 'is_suspected_bot'] %}

-- of the recomputed sessions, a night writes those that changed: most of a touched user's
-- sessions are as they were, and what reads this model recomputes what it writes
changed_sessions as (

    select flagged_sessions.*
    from flagged_sessions
    {% if is_incremental() -%}
    left join {{ this }} as previous
        on flagged_sessions.session_id = previous.session_id
    where {{ differs(['session_id'] + columns, 'flagged_sessions', 'previous') }}
    {%- endif %}

),

final as (

    select
        *,
        {{ utc_now() }} as dbt_loaded_at

    from changed_sessions

)

select * from final
