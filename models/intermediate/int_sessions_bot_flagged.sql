{{ config(materialized='table') }}

{#-
    Suspected bots. A burst is a user's run of sessions, each started within
    var('bot_max_gap_seconds') of the one before. A burst of at least var('bot_min_sessions')
    sessions of which at most var('bot_max_conversion_rate') checked out is suspected bot
    traffic, and so is every session in it. See docs/suspected_bots.md for the reasoning.
-#}

with

events as (

    select * from {{ ref('stg_greenery__events') }}

),

sessions as (

    select
        session_id,
        min(user_id) as user_id,
        min(created_at) as session_started_at,
        max(case when event_type = 'checkout' then 1 else 0 end) = 1 as is_converted

    from events
    group by session_id

),

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

final as (

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

)

select * from final
