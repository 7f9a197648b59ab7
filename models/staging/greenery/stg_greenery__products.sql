with

source as (

    select * from {{ source('greenery', 'products') }}

),

final as (

    select
        product_id,
        name as product_name,
        {{ money('price') }} as price,
        cast(inventory as {{ dbt.type_int() }}) as inventory

    from source

)

select * from final
