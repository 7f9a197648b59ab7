{%- set steps = ['page_view', 'add_to_cart', 'checkout', 'package_shipped'] -%}

with

funnel_sessions as (

    select * from {{ ref('fct_funnel_sessions') }}

),

daily_by_state as (

    select
        session_date,
        state,
        min(state_code) as state_code,
        min(region) as region,
        min(session_week) as wk,
        cast(count(*) as integer) as n_sessions,
        {{ count_funnel_sessions(steps) }},
        cast(sum(case when is_suspected_bot then 0 else 1 end) as integer) as n_human_sessions,
        {{ count_funnel_sessions(steps, human=true) }}

    from funnel_sessions
    group by session_date, state

),

final as (

    select
        *,
        {{ funnel_rates() }},
        {{ funnel_rates(human=true) }},
        n_sessions - n_human_sessions as n_suspected_bot_sessions,
        {{ dbt_utils.safe_divide('cast(n_sessions - n_human_sessions as double)', 'n_sessions') }}
            as suspected_bot_session_share

    from daily_by_state

)

select * from final
