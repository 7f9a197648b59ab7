{%- set event_types = event_types('stg_greenery__events') -%}

with

events as (

    select * from {{ ref('stg_greenery__events') }}

),

orders as (

    select * from {{ ref('stg_greenery__orders') }}

),

order_items as (

    select * from {{ ref('stg_greenery__order_items') }}

),

product_events as (

    select
        session_id,
        user_id,
        product_id,
        event_type,
        created_at

    from events
    where product_id is not null

),

-- checkout and package_shipped carry the order, not the product: they count for every
-- product in the order
order_events as (

    select
        events.session_id,
        events.user_id,
        order_items.product_id,
        events.event_type,
        events.created_at

    from events
    inner join orders
        on events.order_id = orders.order_id
    inner join order_items
        on orders.order_id = order_items.order_id
    where events.product_id is null

),

attributed_events as (

    select * from product_events
    union all
    select * from order_events

),

final as (

    select
        session_id,
        product_id,
        min(user_id) as user_id,
        min(created_at) as first_event_at,
        {{ sum_events(event_types, 'count') }},
        {{ sum_events(event_types, 'flag') }}

    from attributed_events
    group by session_id, product_id

)

select * from final
