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
        {{ session_funnel_counts(steps) }}

    from funnel_sessions
    group by session_date, state

),

final as (

    select
        *,
        {{ session_funnel_rates() }}

    from daily_by_state

)

select * from final
