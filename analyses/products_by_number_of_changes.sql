-- Which products' inventory changed in the most weeks? Not the same ranking as by units
-- moved: a product restocked in big batches moves most units, one sold every week changes most.
with

fluctuation as (

    select * from {{ ref('fct_product_inventory_fluctuation') }}

),

final as (

    select
        product_name,
        n_changes,
        n_weeks,
        rank_by_n_changes,
        rank_by_total_change

    from fluctuation
    where n_changes > 0

)

select * from final
order by n_changes desc, product_name asc
