-- What is the conversion rate of each product (sessions buying it / sessions viewing it)?
with

product_funnel as (

    select * from {{ ref('f_weekly_product_sales_funnel', v=2) }}

),

final as (

    select
        product_name,
        sum(n_page_view_sessions) as n_page_view_sessions,
        sum(n_checkout_sessions) as n_checkout_sessions,
        {{ dbt_utils.safe_divide(
            'cast(sum(n_checkout_sessions) as double)', 'sum(n_page_view_sessions)'
        ) }} as conversion_rate

    from product_funnel
    group by product_name

)

select * from final
order by conversion_rate desc, product_name asc
