{{
    config(
        materialized='incremental',
        unique_key='order_id',
        event_time='created_at',
        incremental_strategy=event_incremental_strategy(),
        on_schema_change='append_new_columns'
    )
}}

with

orders as (

    select * from {{ ref('int_orders_priced') }}

),

users as (

    select * from {{ ref('stg_greenery__users') }}

),

order_versions as (

    select * from {{ ref('orders_snapshot') }}

),

-- when each order last changed, as the orders snapshot saw it: the start of its current version
current_versions as (

    select
        order_id,
        dbt_valid_from as status_changed_at
    from order_versions
    where dbt_valid_to is null

),

orders_to_build as (

    select * from orders
    {% if is_incremental() -%}
    -- a night recomputes the orders the snapshot saw change since this model last ran (a new
    -- order is its first version): the snapshot is the orders' change feed
    where
        order_id in (
            select changed.order_id
            from current_versions as changed
            where {{ newer_than_built('changed.status_changed_at', 'status_changed_at') }}
        )
    {%- endif %}

),

final as (

    select
        orders_to_build.order_id,
        orders_to_build.user_id,
        orders_to_build.promo_id,
        orders_to_build.address_id,
        orders_to_build.created_at,
        orders_to_build.order_status,
        orders_to_build.shipping_service,
        orders_to_build.tracking_id,
        orders_to_build.n_lines,
        orders_to_build.n_units,
        orders_to_build.order_cost,
        orders_to_build.shipping_cost,
        orders_to_build.promo_discount,
        orders_to_build.order_total,
        orders_to_build.estimated_delivery_at,
        orders_to_build.delivered_at,
        {{ dbt.datediff('orders_to_build.created_at', 'orders_to_build.delivered_at', 'hour') }} as delivery_hours,  -- noqa: LT05
        case
            when orders_to_build.delivered_at is null or orders_to_build.estimated_delivery_at is null then null  -- noqa: LT05
            else orders_to_build.delivered_at > orders_to_build.estimated_delivery_at
        end as is_delivered_late,
        orders_to_build.address_id = users.address_id as ships_to_home_address,
        current_versions.status_changed_at,
        {{ utc_now() }} as dbt_loaded_at

    from orders_to_build
    left join users
        on orders_to_build.user_id = users.user_id
    left join current_versions
        on orders_to_build.order_id = current_versions.order_id

)

select * from final
