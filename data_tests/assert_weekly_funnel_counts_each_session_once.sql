-- The overall funnel counts every session exactly once, however many products it touched:
-- per week, its session count equals the sessions that started that week.
with

funnel as (

    select * from {{ ref('f_weekly_sales_funnel') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

sessions_per_week as (

    select
        session_week as wk,
        count(*) as n_sessions

    from sessions
    group by session_week

),

mismatches as (

    select
        coalesce(funnel.wk, sessions_per_week.wk) as wk,
        funnel.n_sessions as funnel_sessions,
        sessions_per_week.n_sessions as actual_sessions

    from funnel
    full outer join sessions_per_week
        on funnel.wk = sessions_per_week.wk
    where funnel.n_sessions is null
        or sessions_per_week.n_sessions is null
        or funnel.n_sessions != sessions_per_week.n_sessions

)

select * from mismatches
