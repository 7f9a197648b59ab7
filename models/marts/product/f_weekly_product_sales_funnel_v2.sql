{%- set steps = ['page_view', 'add_to_cart', 'checkout', 'package_shipped'] -%}

with

session_products as (

    select * from {{ ref('fct_session_products') }}

),

session_bursts as (

    select * from {{ ref('int_sessions_bot_flagged') }}

),

flagged_session_products as (

    select
        session_products.*,
        session_bursts.is_suspected_bot

    from session_products
    inner join session_bursts
        on session_products.session_id = session_bursts.session_id

),

weekly as (

    select
        session_week as wk,
        product_id,
        max(product_name) as product_name,
        -- checkout: the session's checkout order contains the product (from order_items)
        {{ count_funnel_sessions(steps) }},
        {{ count_funnel_sessions(steps, human=true) }}

    from flagged_session_products
    group by session_week, product_id

),

final as (

    select
        *,
        {{ product_funnel_rates(names='v2') }},
        {{ product_funnel_rates(human=true, names='v2') }}

    from weekly

)

select * from final
