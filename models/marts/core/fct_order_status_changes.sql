{{
    config(
        materialized='incremental',
        unique_key='order_id',
        event_time='changed_at',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

with

order_versions as {{ not_materialized() }} (

    select * from {{ ref('orders_snapshot') }}

),

versions_to_sequence as (

    select * from order_versions
    {% if is_incremental() -%}
    -- a night re-sequences, whole (delete+insert by order), the orders with a version newer
    -- than the newest change this model holds
    where
        order_id in (
            select changed.order_id from order_versions as changed
            where {{ newer_than_built('changed.dbt_valid_from', 'changed_at') }}
        )
    {%- endif %}

),

sequenced as (

    select
        order_id,
        dbt_valid_from as changed_at,
        lag(status) over (partition by order_id order by dbt_valid_from) as previous_status,
        status,
        tracking_id,
        shipping_service,
        estimated_delivery_at,
        delivered_at,
        coalesce(dbt_is_deleted, 'False') = 'True' as is_deleted

    from versions_to_sequence

),

final as (

    select
        order_id,
        changed_at,
        previous_status,
        status,
        tracking_id,
        shipping_service,
        estimated_delivery_at,
        delivered_at,
        case
            when is_deleted then 'deleted'
            when previous_status is null then 'first_seen'
            when previous_status != status then 'status_changed'
            else 'details_changed'
        end as change_kind,
        {{ utc_now() }} as dbt_loaded_at

    from sequenced

)

select * from final
