-- Which products' inventory changed from week 3 to week 4?
with

inventory as (

    select * from {{ ref('fct_product_inventory_weekly') }}

),

final as (

    select
        product_name,
        previous_inventory as week_3_inventory,
        inventory as week_4_inventory,
        inventory_change

    from inventory
    where week_number = 4
        and inventory_change != 0

)

select * from final
order by product_name
