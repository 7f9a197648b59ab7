{{
    config(
        materialized='incremental',
        unique_key='session_id',
        event_time='session_started_at',
        incremental_strategy=event_incremental_strategy(),
        on_schema_change='append_new_columns'
    )
}}

with

sessions as {{ not_materialized() }} (

    select * from {{ ref('fct_sessions') }}

),

session_bursts as {{ not_materialized() }} (

    select * from {{ ref('int_sessions_bot_flagged') }}

),

users as {{ not_materialized() }} (

    select * from {{ ref('dim_users') }}

),

{% if is_incremental() -%}
-- a night recomputes the sessions whose events or bot flag changed since this model last ran,
-- and every session of a user whose home state or region changed
changed_sessions as (

    select session_id from sessions
    where {{ changed_since_last_build('dbt_loaded_at') }}

    union

    select session_id from session_bursts
    where {{ changed_since_last_build('dbt_loaded_at') }}

),

recorded_homes as (

    select distinct
        user_id,
        state,
        state_code,
        region
    from {{ this }}

),

moved_users as (

    select recorded_homes.user_id
    from recorded_homes
    left join users
        on recorded_homes.user_id = users.user_id
    where
        recorded_homes.state != coalesce(users.state, 'Unknown')
        or recorded_homes.state_code != coalesce(users.state_code, 'Unknown')
        or recorded_homes.region != coalesce(users.region, 'Unknown')

),

sessions_to_build as (

    select sessions.*
    from sessions
    where
        sessions.session_id in (select changed_sessions.session_id from changed_sessions)
        or sessions.user_id in (select moved_users.user_id from moved_users)

),
{%- else -%}
sessions_to_build as (

    select * from sessions

),
{%- endif %}

final as (

    select
        -- named explicitly: Snowflake's contract check compares the name's case
        sessions_to_build.session_id as session_id,  -- noqa: AL09
        sessions_to_build.user_id,
        sessions_to_build.session_started_at,
        cast(sessions_to_build.session_started_at as date) as session_date,
        sessions_to_build.session_week,
        sessions_to_build.n_page_view > 0 as has_page_view,
        sessions_to_build.n_add_to_cart > 0 as has_add_to_cart,
        sessions_to_build.n_checkout > 0 as has_checkout,
        sessions_to_build.n_package_shipped > 0 as has_package_shipped,
        session_bursts.is_suspected_bot,
        coalesce(users.state, 'Unknown') as state,
        coalesce(users.state_code, 'Unknown') as state_code,
        coalesce(users.region, 'Unknown') as region,
        {{ utc_now() }} as dbt_loaded_at

    from sessions_to_build
    inner join session_bursts
        on sessions_to_build.session_id = session_bursts.session_id
    left join users
        on sessions_to_build.user_id = users.user_id

)

select * from final
