with

products as (

    select * from {{ ref('stg_greenery__products') }}

),

order_items as (

    select * from {{ ref('int_order_items_enriched') }}

),

sales as (

    select
        product_id,
        count(distinct order_id) as n_orders,
        sum(quantity) as units_sold,
        sum(line_total) as revenue

    from order_items
    group by product_id

),

final as (

    select
        products.product_id,
        products.product_name,
        products.price,
        products.inventory,
        coalesce(sales.n_orders, 0) as n_orders,
        coalesce(sales.units_sold, 0) as units_sold,
        coalesce(sales.revenue, 0) as revenue

    from products
    left join sales
        on products.product_id = sales.product_id

)

select * from final
