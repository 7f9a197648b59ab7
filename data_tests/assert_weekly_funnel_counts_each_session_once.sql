-- The overall funnel counts every session exactly once, however many products it touched:
-- per week, its session count equals the sessions that started that week.
with

weekly_funnel as (

    select * from {{ ref('f_weekly_sales_funnel') }}

),

sessions as {{ not_materialized() }} (

    select * from {{ ref('fct_sessions') }}

),

-- on a night, the weeks the night wrote (in_night_window); every week otherwise
funnel as (

    select * from weekly_funnel
    where {{ in_night_window('dbt_loaded_at') }}

),

sessions_per_week as (

    select
        session_week as wk,
        count(*) as n_sessions

    from sessions
    -- on a night, the weeks it rewrote, which are those of the sessions it wrote
    where
        session_week in (select funnel.wk from funnel)
        or session_week in (
            select written.session_week from sessions as written
            where {{ in_night_window('written.dbt_loaded_at') }}
        )
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
