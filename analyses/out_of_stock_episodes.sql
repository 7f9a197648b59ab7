-- Which products went out of stock, from which week to which, and what came before and after?
with

episodes as (

    select * from {{ ref('fct_out_of_stock_episodes') }}

),

final as (

    select
        product_name,
        first_week_number,
        last_week_number,
        n_weeks,
        inventory_before,
        inventory_after

    from episodes

)

select * from final
order by product_name, first_week_number
