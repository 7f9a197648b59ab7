-- Which products' inventory fluctuated most over the weeks (sum of absolute weekly changes)?
with

inventory as (

    select * from {{ ref('fct_product_inventory_weekly') }}

),

final as (

    select
        product_name,
        sum(abs(inventory_change)) as total_absolute_fluctuation

    from inventory
    group by product_name
    having sum(abs(inventory_change)) > 0

)

select * from final
order by total_absolute_fluctuation desc, product_name asc
