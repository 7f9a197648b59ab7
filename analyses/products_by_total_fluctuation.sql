-- Which products' inventory fluctuated most over the weeks (sum of absolute weekly changes)?
with

fluctuation as (

    select * from {{ ref('fct_product_inventory_fluctuation') }}

),

final as (

    select
        product_name,
        total_absolute_change as total_absolute_fluctuation

    from fluctuation
    where total_absolute_change > 0

)

select * from final
order by total_absolute_fluctuation desc, product_name asc
