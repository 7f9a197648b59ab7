-- Which orders changed status, and when (e.g. preparing -> shipped each week)?
with

changes as (

    select * from {{ ref('fct_order_status_changes') }}

),

final as (

    select
        cast(changed_at as date) as changed_on,
        order_id,
        previous_status,
        status,
        shipping_service,
        tracking_id

    from changes
    where change_kind = 'status_changed'

)

select * from final
order by changed_on, order_id
