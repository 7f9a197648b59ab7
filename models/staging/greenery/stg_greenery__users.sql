with

source as (

    select * from {{ source('greenery', 'users') }}

),

final as (

    select
        user_id,
        first_name,
        last_name,
        email,
        phone_number,
        address_id,
        {{ utc_timestamp('created_at') }} as created_at,
        {{ utc_timestamp('updated_at') }} as updated_at

    from source

)

select * from final
