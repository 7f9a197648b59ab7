-- Orders happen between the shop's opening and the run: placed after the opening and not in the
-- future, delivered after being placed and not in the future, an estimate not before the order
-- nor more than a year after the run. Year 9999, 1970 (an epoch default) and a delivery before
-- its order fail.
{%- set format = '%Y-%m-%d %H:%M:%S' %}
{%- set latest = (run_started_at + modules.datetime.timedelta(days=1)).strftime(format) %}
{%- set horizon = (run_started_at + modules.datetime.timedelta(days=366)).strftime(format) %}
with

orders as (

    select * from {{ source('greenery', 'orders') }}

),

bounds as (

    select
        cast('{{ var("greenery_opened_at", "2000-01-01") }}' as {{ dbt.type_timestamp() }})
            as opened_at,
        cast('{{ latest }}' as {{ dbt.type_timestamp() }}) as latest_at,
        cast('{{ horizon }}' as {{ dbt.type_timestamp() }}) as horizon_at

),

checked as (

    select
        orders.order_id,
        orders.status,
        orders.created_at,
        orders.estimated_delivery_at,
        orders.delivered_at,
        case
            when orders.created_at < bounds.opened_at then 'placed before the shop opened'
            when orders.created_at > bounds.latest_at then 'placed in the future'
            when orders.delivered_at <= orders.created_at then 'delivered before it was placed'
            when orders.delivered_at > bounds.latest_at then 'delivered in the future'
            when orders.estimated_delivery_at < orders.created_at
                then 'delivery estimated before it was placed'
            when orders.estimated_delivery_at > bounds.horizon_at
                then 'delivery estimated over a year ahead'
        end as problem

    from orders
    cross join bounds

),

final as (

    select *
    from checked
    where problem is not null

)

select * from final
