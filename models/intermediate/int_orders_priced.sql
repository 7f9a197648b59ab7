with

orders as (

    select * from {{ ref('stg_greenery__orders') }}

),

order_items as (

    select * from {{ ref('int_order_items_enriched') }}

),

promos as (

    select * from {{ ref('stg_greenery__promos') }}

),

order_lines as (

    select
        order_id,
        count(*) as n_lines,
        sum(quantity) as n_units,
        sum(line_total) as items_cost

    from order_items
    group by order_id

),

final as (

    select
        orders.*,
        coalesce(promos.discount, 0) as promo_discount,
        coalesce(order_lines.n_lines, 0) as n_lines,
        coalesce(order_lines.n_units, 0) as n_units,
        coalesce(order_lines.items_cost, 0) as items_cost,
        coalesce(order_lines.items_cost, 0)
        + orders.shipping_cost
        - coalesce(promos.discount, 0) as expected_order_total

    from orders
    left join promos
        on orders.promo_id = promos.promo_id
    left join order_lines
        on orders.order_id = order_lines.order_id

)

select * from final
