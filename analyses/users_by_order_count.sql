-- How many users placed 1, 2, and 3 or more orders?
with

user_orders as (

    select * from {{ ref('user_order_facts') }}

),

final as (

    select
        order_count_bucket,
        count(*) as n_users

    from user_orders
    where n_orders > 0
    group by order_count_bucket

)

select * from final
order by order_count_bucket
