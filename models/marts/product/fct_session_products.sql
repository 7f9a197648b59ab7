{{
    config(
        materialized='incremental',
        unique_key=['session_id', 'product_id'],
        incremental_strategy='merge',
        on_schema_change='append_new_columns',
        snowflake_warehouse=heavy_warehouse()
    )
}}

with

session_products as (

    select * from {{ ref('int_session_products_aggregated') }}

),

sessions as (

    select * from {{ ref('int_sessions_aggregated') }}

),

products as (

    select * from {{ ref('stg_greenery__products') }}

),

events as (

    select * from {{ ref('stg_greenery__events') }}

),

{% if is_incremental() %}
-- sessions with an event inside the lookback window are recomputed whole
touched_sessions as (

    {{ sessions_touched_since_cutoff('events', 'session_ended_at') }}

),
{% endif %}

final as (

    select
        session_products.*,
        products.product_name,
        sessions.session_started_at,
        sessions.session_ended_at,
        {{ week_of('sessions.session_started_at') }} as session_week,
        -- the dbt run that last (re)computed the row: incremental runs rewrite only what they touch
        '{{ invocation_id }}' as dbt_invocation_id

    from session_products
    inner join sessions
        on session_products.session_id = sessions.session_id
    left join products
        on session_products.product_id = products.product_id
    {% if is_incremental() %}
    where session_products.session_id in (
            select touched_sessions.session_id from touched_sessions
        )
    {% endif %}

)

select * from final
