{{
    config(
        materialized='incremental',
        unique_key='event_id',
        event_time='viewed_at',
        incremental_strategy=event_incremental_strategy(),
        on_schema_change='append_new_columns',
        pre_hook="{{ use_heavy_warehouse() }}",
        post_hook="{{ use_target_warehouse() }}",
        cluster_by=['view_week']
    )
}}

with

events as (

    select * from {{ ref('stg_greenery__events') }}

),

products as (

    select * from {{ ref('stg_greenery__products') }}

),

page_views as (

    select
        event_id,
        session_id,
        user_id,
        product_id,
        page_url,
        created_at as viewed_at

    from events
    where
        event_type = 'page_view'
        {%- if is_incremental() %}
        and (created_at >= {{ incremental_cutoff('viewed_at') }} or {{ in_backfill('created_at') }})
        {%- endif %}

),

final as (

    select
        page_views.event_id,
        page_views.session_id,
        page_views.user_id,
        page_views.product_id,
        products.product_name,
        page_views.page_url,
        page_views.viewed_at,
        {{ week_of('page_views.viewed_at') }} as view_week,
        -- the dbt run that last (re)computed the row: incremental runs rewrite only what they touch
        '{{ invocation_id }}' as dbt_invocation_id,
        {{ utc_now() }} as dbt_loaded_at

    from page_views
    left join products
        on page_views.product_id = products.product_id

)

select * from final
