{{
    config(
        materialized='incremental',
        unique_key=['session_id', 'product_id'],
        event_time='session_started_at',
        incremental_strategy=event_incremental_strategy(),
        on_schema_change='append_new_columns',
        pre_hook="{{ use_heavy_warehouse() }}",
        post_hook="{{ use_target_warehouse() }}"
    )
}}

{%- set event_types = event_types() -%}

with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_greenery__events') }}

),

-- each session's user and bounds, aggregated once, by fct_sessions (which runs first)
sessions as (

    select * from {{ ref('fct_sessions') }}

),

orders as (

    select * from {{ ref('stg_greenery__orders') }}

),

order_items as (

    select * from {{ ref('stg_greenery__order_items') }}

),

products as (

    select * from {{ ref('stg_greenery__products') }}

),

-- an incremental run aggregates only the sessions with an event inside the late-data window,
-- each of them whole (all its events, however old); a full build, every session
session_events as (

    {{ events_of_sessions_to_build('events', 'session_ended_at') }}

),

product_events as (

    select
        session_id,
        product_id,
        event_type,
        created_at

    from session_events
    where product_id is not null

),

-- checkout and package_shipped carry the order, not the product: they count for every
-- product in the order (joined through orders, so a failing orders test blocks this model)
order_events as (

    select
        session_events.session_id,
        order_items.product_id,
        session_events.event_type,
        session_events.created_at

    from session_events
    inner join orders
        on session_events.order_id = orders.order_id
    inner join order_items
        on orders.order_id = order_items.order_id
    where session_events.product_id is null

),

attributed_events as (

    select * from product_events
    union all
    select * from order_events

),

session_products as (

    select
        session_id,
        product_id,
        min(created_at) as first_event_at,
        {{ sum_events(event_types) }}

    from attributed_events
    group by session_id, product_id

),

final as (

    select
        session_products.session_id,
        session_products.product_id,
        sessions.user_id,
        session_products.first_event_at,
        {%- for event_type in event_types %}
        session_products.n_{{ event_column(event_type) }},
        {%- endfor %}
        {%- for event_type in event_types %}
        session_products.n_{{ event_column(event_type) }} > 0 as has_{{ event_column(event_type) }},
        {%- endfor %}
        products.product_name,
        sessions.session_started_at,
        sessions.session_ended_at,
        sessions.session_week,
        -- the dbt run that last (re)computed the row: incremental runs rewrite only what they touch
        '{{ invocation_id }}' as dbt_invocation_id,
        {{ utc_now() }} as dbt_loaded_at

    from session_products
    inner join sessions
        on session_products.session_id = sessions.session_id
    left join products
        on session_products.product_id = products.product_id

)

select * from final
