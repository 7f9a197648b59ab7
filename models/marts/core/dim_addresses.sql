with

addresses as (

    select * from {{ ref('stg_greenery__addresses') }}

),

final as (

    select
        address_id,
        address,
        zipcode,
        state,
        country

    from addresses

)

select * from final
