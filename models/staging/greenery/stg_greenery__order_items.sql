with

source as (

    select * from {{ source('greenery', 'order_items') }}

),

final as (

    select
        order_id,
        product_id,
        cast(quantity as {{ dbt.type_int() }}) as quantity

    from source

)

select * from final
