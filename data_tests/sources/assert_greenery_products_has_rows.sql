-- The products source has rows: a header-only or empty export loads as an empty table.
with

products as (

    select * from {{ source('greenery', 'products') }}

),

final as (

    select count(*) as n_rows
    from products
    having count(*) = 0

)

select * from final
