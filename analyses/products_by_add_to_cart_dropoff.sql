-- The 3 products with the most and the 3 with the least drop-off from view to add to cart.
with

product_funnel as (

    select * from {{ ref('f_weekly_product_sales_funnel') }}

),

ranked as (

    select
        product_name,
        add_to_cart_dropoff,
        rank() over (order by add_to_cart_dropoff desc, product_name asc) as rank_most,
        rank() over (order by add_to_cart_dropoff asc, product_name asc) as rank_least

    from product_funnel

),

final as (

    select
        case when rank_most <= 3 then 'most' else 'least' end as dropoff_group,
        product_name,
        add_to_cart_dropoff

    from ranked
    where rank_most <= 3 or rank_least <= 3

)

select * from final
order by add_to_cart_dropoff desc, product_name asc
