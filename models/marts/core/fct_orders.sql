with

orders as (

    select * from {{ ref('int_orders_priced') }}

),

users as (

    select * from {{ ref('stg_greenery__users') }}

),

final as (

    select
        orders.order_id,
        orders.user_id,
        orders.promo_id,
        orders.address_id,
        orders.created_at,
        orders.order_status,
        orders.shipping_service,
        orders.tracking_id,
        orders.n_lines,
        orders.n_units,
        orders.order_cost,
        orders.shipping_cost,
        orders.promo_discount,
        orders.order_total,
        orders.estimated_delivery_at,
        orders.delivered_at,
        {{ dbt.datediff('orders.created_at', 'orders.delivered_at', 'hour') }} as delivery_hours,  -- noqa: LT05
        case
            when orders.delivered_at is null or orders.estimated_delivery_at is null then null
            else orders.delivered_at > orders.estimated_delivery_at
        end as is_delivered_late,
        orders.address_id = users.address_id as ships_to_home_address

    from orders
    left join users
        on orders.user_id = users.user_id

)

select * from final
