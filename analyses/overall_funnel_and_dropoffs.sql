-- How do sessions move through the funnel each week, and where are the largest drop-offs?
with

funnel as (

    select * from {{ ref('f_weekly_sales_funnel') }}

),

final as (

    select
        wk,
        n_sessions,
        n_page_view_sessions,
        n_add_to_cart_sessions,
        n_checkout_sessions,
        add_to_cart_dropoff,
        checkout_dropoff,
        case
            when add_to_cart_dropoff >= checkout_dropoff then 'page view -> add to cart'
            else 'add to cart -> checkout'
        end as largest_dropoff_step

    from funnel

)

select * from final
order by wk
