-- Which products went out of stock, in which week, and what came before and after?
with

inventory as (

    select * from {{ ref('fct_product_inventory_weekly') }}

),

with_next_week as (

    select
        *,
        lead(inventory) over (partition by product_id order by week_number) as next_inventory

    from inventory

),

final as (

    select
        product_name,
        week_number,
        previous_inventory,
        inventory,
        next_inventory

    from with_next_week
    where is_out_of_stock

)

select * from final
order by product_name, week_number
