-- The 3 products with the most and the 3 with the least drop-off at each funnel step:
-- page view -> add to cart, and add to cart -> checkout.
with

product_funnel as (

    select * from {{ ref('f_weekly_product_sales_funnel', v=2) }}

),

dropoffs as (

    select
        'add_to_cart' as funnel_step,
        product_name,
        add_to_cart_dropoff as dropoff
    from product_funnel
    union all
    select
        'checkout' as funnel_step,
        product_name,
        checkout_dropoff as dropoff
    from product_funnel

),

ranked as (

    select
        funnel_step,
        product_name,
        dropoff,
        rank() over (partition by funnel_step order by dropoff desc, product_name asc) as rank_most,
        rank() over (partition by funnel_step order by dropoff asc, product_name asc) as rank_least

    from dropoffs

),

final as (

    select
        funnel_step,
        case when rank_most <= 3 then 'most' else 'least' end as dropoff_group,
        product_name,
        dropoff

    from ranked
    where rank_most <= 3 or rank_least <= 3

)

select * from final
order by funnel_step asc, dropoff desc, product_name asc
