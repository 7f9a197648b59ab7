with

source as (

    select * from {{ source('greenery', 'promos') }}

),

final as (

    select
        promo_id,
        {{ money('discount') }} as discount,
        status as promo_status

    from source

)

select * from final
