-- On average, how long does an order take from being placed to being delivered?
with

orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        count(*) as n_delivered_orders,
        avg(cast(delivery_hours as double)) as avg_delivery_hours,
        avg(cast(delivery_hours as double)) / 24 as avg_delivery_days

    from orders
    where order_status = 'delivered'

)

select * from final
