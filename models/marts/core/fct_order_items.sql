{{
    config(
        materialized='incremental',
        unique_key='order_id',
        event_time='order_created_at',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

with

order_items as (

    select * from {{ ref('int_order_items_enriched') }}

),

-- read on a night only: which orders fct_orders rewrote
orders as (  -- noqa: ST03

    select * from {{ ref('fct_orders') }}

),

items_to_build as (

    select * from order_items
    {% if is_incremental() -%}
    -- a night rewrites the lines of the orders fct_orders rewrote since this model last ran,
    -- each order's lines whole (delete+insert by order)
    where
        order_id in (
            select changed.order_id from orders as changed
            where {{ changed_since_last_build('changed.dbt_loaded_at') }}
        )
    {%- endif %}

),

final as (

    select
        order_id,
        product_id,
        product_name,
        user_id,
        order_created_at,
        quantity,
        unit_price,
        line_total,
        {{ utc_now() }} as dbt_loaded_at

    from items_to_build

)

select * from final
