-- The addresses source has rows: a header-only or empty export loads as an empty table.
with

addresses as (

    select * from {{ source('greenery', 'addresses') }}

),

final as (

    select count(*) as n_rows
    from addresses
    having count(*) = 0

)

select * from final
