{{
    config(
        materialized='incremental',
        unique_key='snapshot_week',
        event_time='snapshot_week',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

with

inventory_versions as (

    select * from {{ ref('product_inventory_snapshot') }}

),

-- every time a snapshot ran: a version started or ended then
snapshot_runs as (

    select dbt_valid_from as taken_at from inventory_versions
    union
    select dbt_valid_to as taken_at from inventory_versions
    where dbt_valid_to is not null

),

-- the last snapshot run of each week stands for that week
weekly_runs as (

    select
        {{ week_of('taken_at') }} as snapshot_week,
        max(taken_at) as as_of

    from snapshot_runs
    group by {{ week_of('taken_at') }}

),

numbered_weeks as (

    select
        snapshot_week,
        as_of,
        row_number() over (order by snapshot_week) as week_number

    from weekly_runs

),

inventory_at_week as (

    select
        numbered_weeks.week_number,
        numbered_weeks.snapshot_week,
        numbered_weeks.as_of,
        inventory_versions.product_id,
        inventory_versions.name as product_name,
        inventory_versions.price,
        inventory_versions.inventory

    from numbered_weeks
    inner join inventory_versions
        on numbered_weeks.as_of >= inventory_versions.dbt_valid_from
            and (
                numbered_weeks.as_of < inventory_versions.dbt_valid_to
                or inventory_versions.dbt_valid_to is null
            )
    where coalesce(inventory_versions.dbt_is_deleted, 'False') != 'True'

),

inventory_by_week as (

    select
        week_number,
        snapshot_week,
        as_of,
        product_id,
        product_name,
        price,
        inventory,
        lag(inventory) over (partition by product_id order by week_number) as previous_inventory,
        inventory - lag(inventory) over (
            partition by product_id order by week_number
        ) as inventory_change,
        inventory = 0 as is_out_of_stock

    from inventory_at_week

),

-- the snapshot is small (a version per product and change), so every week is computed; a night
-- writes the weeks from the first one a snapshot run newer than this model's newest touched
final as (

    select
        *,
        {{ utc_now() }} as dbt_loaded_at

    from inventory_by_week
    {% if is_incremental() -%}
    where snapshot_week >= (
            select min(newer.snapshot_week) from weekly_runs as newer
            where {{ newer_than_built('newer.as_of', 'as_of') }}
        )
    {%- endif %}

)

select * from final
