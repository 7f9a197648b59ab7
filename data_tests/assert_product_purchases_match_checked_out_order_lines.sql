-- Every line of a checked-out order is one purchase in the product funnel, and nothing else is.
with

product_funnel as (

    select * from {{ ref('f_weekly_product_sales_funnel', v=2) }}

),

events as (

    select * from {{ ref('stg_greenery__events') }}

),

order_items as (

    select * from {{ ref('stg_greenery__order_items') }}

),

funnel_purchases as (

    select sum(n_checkout_sessions) as n_purchases
    from product_funnel

),

checked_out_lines as (

    select count(*) as n_purchases
    from order_items
    where order_id in (
            select events.order_id from events
            where events.event_type = 'checkout'
        )

),

mismatch as (

    select
        funnel_purchases.n_purchases as funnel_purchases,
        checked_out_lines.n_purchases as order_lines

    from funnel_purchases
    cross join checked_out_lines
    where funnel_purchases.n_purchases != checked_out_lines.n_purchases

)

select * from mismatch
