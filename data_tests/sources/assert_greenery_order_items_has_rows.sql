-- The order_items source has rows: a header-only or empty export loads as an empty table.
with

order_items as (

    select * from {{ source('greenery', 'order_items') }}

),

final as (

    select count(*) as n_rows
    from order_items
    having count(*) = 0

)

select * from final
