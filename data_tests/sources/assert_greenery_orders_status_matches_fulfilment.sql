-- An order's status agrees with its fulfilment columns: a preparing order has no tracking,
-- carrier, estimate or delivery yet; a shipped one has tracking and a carrier but no delivery;
-- a delivered one has tracking, a carrier and its delivery time. (Unknown statuses are the
-- source's accepted_values test's.)
with

orders as (

    select * from {{ source('greenery', 'orders') }}

),

checked as (

    select
        order_id,
        status,
        tracking_id,
        shipping_service,
        estimated_delivery_at,
        delivered_at,
        case
            when
                status = 'preparing'
                and (
                    tracking_id is not null
                    or shipping_service is not null
                    or estimated_delivery_at is not null
                    or delivered_at is not null
                )
                then 'preparing, yet shipped or delivered'
            when status in ('shipped', 'delivered') and tracking_id is null
                then 'shipped without a tracking id'
            when status in ('shipped', 'delivered') and shipping_service is null
                then 'shipped without a carrier'
            when status = 'shipped' and delivered_at is not null then 'shipped, yet delivered'
            when status = 'delivered' and delivered_at is null then 'delivered without a time'
        end as problem

    from orders

),

final as (

    select *
    from checked
    where problem is not null

)

select * from final
