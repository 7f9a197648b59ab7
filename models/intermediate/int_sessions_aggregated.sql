{%- set event_types = event_types('stg_greenery__events') -%}

with

events as (

    select * from {{ ref('stg_greenery__events') }}

),

first_products as (

    select
        session_id,
        product_id as first_product_id

    from (
        select
            session_id,
            product_id,
            row_number() over (
                partition by session_id order by created_at, event_id
            ) as product_event_number

        from events
        where product_id is not null
    ) as product_events

    where product_event_number = 1

),

sessions as (

    select
        session_id,
        min(user_id) as user_id,
        count(distinct user_id) as n_users,
        min(created_at) as session_started_at,
        max(created_at) as session_ended_at,
        max(case when event_type = 'checkout' then order_id end) as order_id,
        count(*) as n_events,
        {{ sum_events(event_types, 'count') }}

    from events
    group by session_id

),

final as (

    select
        sessions.*,
        first_products.first_product_id

    from sessions
    left join first_products
        on sessions.session_id = first_products.session_id

)

select * from final
