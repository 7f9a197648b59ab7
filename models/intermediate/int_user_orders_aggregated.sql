with

orders as (

    select * from {{ ref('int_orders_priced') }}

),

final as (

    select
        user_id,
        count(*) as n_orders,
        min(created_at) as first_order_at,
        max(created_at) as last_order_at,
        sum(order_total) as lifetime_value,
        sum(case when promo_id is not null then 1 else 0 end) as n_promo_orders,
        sum(n_units) as n_units

    from orders
    group by user_id

)

select * from final
