with

order_items as (

    select * from {{ ref('int_order_items_enriched') }}

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
        line_total

    from order_items

)

select * from final
