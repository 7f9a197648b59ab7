{{
    config(
        materialized='incremental',
        unique_key='session_id',
        event_time='session_started_at',
        incremental_strategy=event_incremental_strategy(),
        on_schema_change='append_new_columns',
        pre_hook="{{ use_heavy_warehouse() }}",
        post_hook="{{ use_target_warehouse() }}"
    )
}}

{%- set event_types = event_types() -%}

with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_greenery__events') }}

),

-- an incremental run aggregates only the sessions with an event inside the late-data window,
-- each of them whole (all its events, however old); a full build, every session
session_events as (

    {{ events_of_sessions_to_build('events', 'session_ended_at') }}

),

sessions as (

    select
        session_id,
        min(user_id) as user_id,
        count(distinct user_id) as n_users,
        min(created_at) as session_started_at,
        max(created_at) as session_ended_at,
        max(case when event_type = 'checkout' then order_id end) as order_id,
        count(*) as n_events,
        {{ sum_events(event_types) }},
        {{ first_by('product_id', 'created_at', 'event_id') }} as first_product_id

    from session_events
    group by session_id

),

final as (

    select
        sessions.*,
        {{ week_of('sessions.session_started_at') }} as session_week,
        {{ dbt.datediff('sessions.session_started_at', 'sessions.session_ended_at', 'second') }}
            as session_length_seconds,
        sessions.n_checkout > 0 as is_converted,
        -- the dbt run that last (re)computed the row: incremental runs rewrite only what they touch
        '{{ invocation_id }}' as dbt_invocation_id,
        {{ utc_now() }} as dbt_loaded_at

    from sessions

)

select * from final
