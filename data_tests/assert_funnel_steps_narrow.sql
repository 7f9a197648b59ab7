-- Each funnel step is a subset of the one before: page view >= add to cart >= checkout >= shipped.
with

funnel as (

    select * from {{ ref('f_weekly_sales_funnel') }}

),

widening_steps as (

    select *
    from funnel
    where n_page_view_sessions > n_sessions
        or n_add_to_cart_sessions > n_page_view_sessions
        or n_checkout_sessions > n_add_to_cart_sessions
        or n_package_shipped_sessions > n_checkout_sessions

)

select * from widening_steps
