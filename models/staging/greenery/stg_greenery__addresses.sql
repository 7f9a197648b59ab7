with

source as (

    select * from {{ source('greenery', 'addresses') }}

),

final as (

    select
        address_id,
        address,
        {{ zipcode_text('zipcode') }} as zipcode,
        state,
        country

    from source

)

select * from final
