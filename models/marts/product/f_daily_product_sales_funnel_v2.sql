{{
    config(
        materialized='incremental',
        unique_key='session_date',
        event_time='session_date',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

{%- set steps = ['page_view', 'add_to_cart', 'checkout', 'package_shipped'] -%}

with

session_products as {{ not_materialized() }} (

    select * from {{ ref('fct_session_products') }}

),

session_bursts as {{ not_materialized() }} (

    select * from {{ ref('int_sessions_bot_flagged') }}

),

flagged_session_products as (

    select
        session_products.*,
        cast(session_products.session_started_at as date) as session_date,
        session_bursts.is_suspected_bot

    from session_products
    inner join session_bursts
        on session_products.session_id = session_bursts.session_id
    {% if is_incremental() -%}
    -- a night recomputes, each whole, the days of the sessions whose products or bot flag
    -- changed since this model last ran and the days the late-data window reaches
    where
        cast(session_products.session_started_at as date) in (
            select cast(changed.session_started_at as date)
            from session_products as changed
            where
                {{ changed_since_last_build('changed.dbt_loaded_at') }}
                or {{ in_trailing_partitions(
                    'changed.session_started_at', late_data_days(), 'session_date'
                ) }}
            union
            select cast(changed.session_started_at as date)
            from session_bursts as changed
            where {{ changed_since_last_build('changed.dbt_loaded_at') }}
        )
    {%- endif %}

),

daily as (

    select
        session_date,
        product_id,
        min(session_week) as wk,
        max(product_name) as product_name,
        -- checkout: the session's checkout order contains the product (from order_items)
        {{ count_funnel_sessions(steps) }},
        {{ count_funnel_sessions(steps, human=true) }}

    from flagged_session_products
    group by session_date, product_id

),

final as (

    select
        *,
        {{ product_funnel_rates(names='v2') }},
        {{ product_funnel_rates(human=true, names='v2') }},
        {{ utc_now() }} as dbt_loaded_at

    from daily

)

select * from final
