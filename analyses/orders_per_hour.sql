-- On average, how many orders come in per hour (over the hours that had orders)?
with

orders as (

    select * from {{ ref('fct_orders') }}

),

hourly as (

    select
        {{ dbt.date_trunc('hour', 'created_at') }} as order_hour,
        count(*) as n_orders

    from orders
    group by {{ dbt.date_trunc('hour', 'created_at') }}

),

final as (

    select
        count(*) as n_hours,
        avg(cast(n_orders as double)) as avg_orders_per_hour

    from hourly

)

select * from final
