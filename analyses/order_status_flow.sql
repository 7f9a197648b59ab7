-- How many orders moved from one status to another, week by week?
with

transitions as (

    select * from {{ ref('fct_order_status_transitions_weekly') }}

),

final as (

    select
        wk,
        transition,
        n_orders

    from transitions

)

select * from final
order by wk, transition
