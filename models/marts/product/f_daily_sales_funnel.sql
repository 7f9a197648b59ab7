{%- set steps = ['page_view', 'add_to_cart', 'checkout', 'package_shipped'] -%}

with

funnel_sessions as (

    select * from {{ ref('fct_funnel_sessions') }}

),

daily as (

    select
        session_date,
        min(session_week) as wk,
        {{ session_funnel_counts(steps) }}

    from funnel_sessions
    group by session_date

),

final as (

    select
        *,
        {{ session_funnel_rates() }}

    from daily

)

select * from final
