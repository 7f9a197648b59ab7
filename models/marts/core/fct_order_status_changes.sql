with

order_versions as (

    select * from {{ ref('orders_snapshot') }}

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

    from order_versions

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
        end as change_kind

    from sequenced

)

select * from final
