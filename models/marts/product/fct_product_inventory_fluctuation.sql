{{ config(materialized='view') }}

{#-
    A view: it reads the small weekly inventory table, so a night spends nothing on it.
-#}

with

inventory as (

    select * from {{ ref('fct_product_inventory_weekly') }}

),

by_product as (

    select
        -- named explicitly: Snowflake's contract check compares the name's case
        inventory.product_id as product_id,  -- noqa: AL09
        max(product_name) as product_name,
        cast(count(*) as integer) as n_weeks,
        cast(coalesce(sum(abs(inventory_change)), 0) as integer) as total_absolute_change,
        cast(sum(case when inventory_change != 0 then 1 else 0 end) as integer) as n_changes,
        cast(min(inventory) as integer) as lowest_inventory,
        cast(max(inventory) as integer) as highest_inventory

    from inventory
    group by inventory.product_id

),

final as (

    select
        *,
        cast(rank() over (order by total_absolute_change desc) as integer) as rank_by_total_change,
        cast(rank() over (order by n_changes desc) as integer) as rank_by_n_changes

    from by_product

)

select * from final
