{{ config(materialized='view') }}

{#-
    A view: it reads the small weekly inventory table, so a night spends nothing on it.
-#}

with

inventory as (

    select * from {{ ref('fct_product_inventory_weekly') }}

),

-- an episode is a run of consecutive out-of-stock weeks (run_key: the same for each week of a
-- run, week number less the week's place among the product's out-of-stock weeks)
with_next_week as (

    select
        *,
        lead(inventory) over (partition by product_id order by week_number) as next_inventory,
        week_number - row_number() over (
            partition by product_id, is_out_of_stock order by week_number
        ) as run_key

    from inventory

),

out_of_stock_weeks as (

    select
        *,
        first_value(previous_inventory) over (
            partition by product_id, run_key order by week_number
        ) as inventory_before,
        last_value(next_inventory) over (
            partition by product_id, run_key order by week_number
            rows between unbounded preceding and unbounded following
        ) as inventory_after

    from with_next_week
    where is_out_of_stock

),

episodes as (

    select
        product_id,
        max(product_name) as product_name,
        cast(min(week_number) as integer) as first_week_number,
        cast(max(week_number) as integer) as last_week_number,
        min(snapshot_week) as first_week,
        max(snapshot_week) as last_week,
        cast(count(*) as integer) as n_weeks,
        cast(min(inventory_before) as integer) as inventory_before,
        cast(min(inventory_after) as integer) as inventory_after

    from out_of_stock_weeks
    group by product_id, run_key

),

final as (

    select
        -- named explicitly: Snowflake's contract check compares the name's case
        episodes.product_id as product_id,  -- noqa: AL09
        cast(
            row_number() over (partition by product_id order by first_week_number) as integer
        ) as episode_number,
        product_name,
        first_week,
        last_week,
        first_week_number,
        last_week_number,
        n_weeks,
        inventory_before,
        inventory_after,
        inventory_after is null as is_ongoing

    from episodes

)

select * from final
