with

source as (

    select * from {{ source('greenery', 'promos') }}

),

renamed as (

    select
        promo_id,
        {{ money('discount') }} as discount,
        status as promo_status

    from source

)

select * from renamed
