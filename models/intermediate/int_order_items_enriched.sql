with

order_items as (

    select * from {{ ref('stg_greenery__order_items') }}

),

products as (

    select * from {{ ref('stg_greenery__products') }}

),

orders as (

    select * from {{ ref('stg_greenery__orders') }}

),

final as (

    select
        order_items.order_id,
        order_items.product_id,
        products.product_name,
        order_items.quantity,
        products.price as unit_price,
        cast(
            order_items.quantity * products.price as {{ api.Column.numeric_type('numeric', 18, 2) }}
        )
            as line_total,
        orders.user_id,
        orders.created_at as order_created_at

    from order_items
    inner join products
        on order_items.product_id = products.product_id
    inner join orders
        on order_items.order_id = orders.order_id

)

select * from final
