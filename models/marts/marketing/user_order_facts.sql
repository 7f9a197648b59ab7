with

users as (

    select * from {{ ref('stg_greenery__users') }}

),

user_orders as (

    select * from {{ ref('int_user_orders_aggregated') }}

),

final as (

    select
        users.user_id,
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
        end as order_count_bucket

    from users
    left join user_orders
        on users.user_id = user_orders.user_id

)

select * from final
