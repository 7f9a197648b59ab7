-- What share of buyers bought again (two or more orders)?
with

user_orders as (

    select * from {{ ref('user_order_facts') }}

),

final as (

    select
        sum(case when is_repeat_buyer then 1 else 0 end) as n_repeat_buyers,
        count(*) as n_buyers,
        {{ dbt_utils.safe_divide(
            'cast(sum(case when is_repeat_buyer then 1 else 0 end) as double)', 'count(*)'
        ) }} as repeat_rate

    from user_orders
    where n_orders > 0

)

select * from final
