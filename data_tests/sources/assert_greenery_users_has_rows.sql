-- The users source has rows: a header-only or empty export loads as an empty table.
with

users as (

    select * from {{ source('greenery', 'users') }}

),

final as (

    select count(*) as n_rows
    from users
    having count(*) = 0

)

select * from final
