{{
    config(
        materialized='incremental',
        unique_key='user_id',
        incremental_strategy=event_incremental_strategy(),
        on_schema_change='append_new_columns'
    )
}}

with

users as (

    select * from {{ ref('stg_greenery__users') }}

),

user_orders as (

    select * from {{ ref('int_user_orders_aggregated') }}

),

-- read on a night only: which orders fct_orders rewrote
orders as (  -- noqa: ST03

    select * from {{ ref('fct_orders') }}

),

users_to_build as (

    select * from users
    {% if is_incremental() -%}
    -- a night recomputes the buyers of the orders fct_orders rewrote since this model last ran,
    -- and the users it has no row for yet
    where
        user_id in (
            select changed.user_id from orders as changed
            where {{ changed_since_last_build('changed.dbt_loaded_at') }}
        )
        or user_id not in (select built.user_id from {{ this }} as built)
    {%- endif %}

),

final as (

    select
        users_to_build.user_id,
        coalesce(user_orders.n_orders, 0) as n_orders,
        user_orders.first_order_at,
        user_orders.last_order_at,
        coalesce(user_orders.lifetime_value, 0) as lifetime_value,
        {{ dbt_utils.safe_divide(
            'cast(user_orders.lifetime_value as double)', 'user_orders.n_orders'
        ) }} as avg_order_value,
        coalesce(user_orders.n_promo_orders, 0) as n_promo_orders,
        coalesce(user_orders.n_units, 0) as n_units,
        coalesce(user_orders.n_orders, 0) >= 2 as is_repeat_buyer,
        case
            when coalesce(user_orders.n_orders, 0) = 0 then '0'
            when user_orders.n_orders = 1 then '1'
            when user_orders.n_orders = 2 then '2'
            else '3+'
        end as order_count_bucket,
        {{ utc_now() }} as dbt_loaded_at

    from users_to_build
    left join user_orders
        on users_to_build.user_id = user_orders.user_id

)

select * from final
