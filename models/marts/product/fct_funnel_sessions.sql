with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

session_bursts as (

    select * from {{ ref('int_sessions_bot_flagged') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

final as (

    select
        -- named explicitly: Snowflake's contract check compares the name's case
        sessions.session_id as session_id,  -- noqa: AL09
        sessions.user_id,
        sessions.session_started_at,
        cast(sessions.session_started_at as date) as session_date,
        sessions.session_week,
        sessions.n_page_view > 0 as has_page_view,
        sessions.n_add_to_cart > 0 as has_add_to_cart,
        sessions.n_checkout > 0 as has_checkout,
        sessions.n_package_shipped > 0 as has_package_shipped,
        session_bursts.is_suspected_bot,
        coalesce(users.state, 'Unknown') as state,
        coalesce(users.state_code, 'Unknown') as state_code,
        coalesce(users.region, 'Unknown') as region

    from sessions
    inner join session_bursts
        on sessions.session_id = session_bursts.session_id
    left join users
        on sessions.user_id = users.user_id

)

select * from final
