{{
    config(
        materialized='incremental',
        unique_key='wk',
        event_time='wk',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

-- version 1 (deprecated): version 2's counts, with the rates under their version 1 names
with

product_funnel as {{ not_materialized() }} (

    select * from {{ ref('f_weekly_product_sales_funnel', v=2) }}

),

-- a night rewrites the weeks version 2 rewrote since this model last ran
rows_to_rename as (

    select * from product_funnel
    {% if is_incremental() -%}
    where
        wk in (
            select changed.wk
            from product_funnel as changed
            where {{ changed_since_last_build('changed.dbt_loaded_at') }}
        )
    {%- endif %}

),

final as (

    select
        wk,
        product_id,
        product_name,
        n_page_view_sessions,
        n_add_to_cart_sessions,
        n_checkout_sessions,
        n_package_shipped_sessions,
        n_human_page_view_sessions,
        n_human_add_to_cart_sessions,
        n_human_checkout_sessions,
        n_human_package_shipped_sessions,
        {{ product_funnel_rates(names='v1') }},
        {{ product_funnel_rates(human=true, names='v1') }},
        {{ utc_now() }} as dbt_loaded_at

    from rows_to_rename

)

select * from final
