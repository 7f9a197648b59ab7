-- The orders source has rows: a header-only or empty export loads as an empty table.
with

orders as (

    select * from {{ source('greenery', 'orders') }}

),

final as (

    select count(*) as n_rows
    from orders
    having count(*) = 0

)

select * from final
