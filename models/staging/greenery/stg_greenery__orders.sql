with

source as (

    select * from {{ source('greenery', 'orders') }}

),

final as (

    select
        order_id,
        user_id,
        promo_id,
        address_id,
        tracking_id,
        shipping_service,
        status as order_status,
        {{ money('order_cost') }} as order_cost,
        {{ money('shipping_cost') }} as shipping_cost,
        {{ money('order_total') }} as order_total,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('estimated_delivery_at') }} as estimated_delivery_at,
        {{ utc_timestamp('delivered_at') }} as delivered_at

    from source

)

select * from final
