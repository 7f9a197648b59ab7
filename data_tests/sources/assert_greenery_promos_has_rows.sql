-- The promos source has rows: a header-only or empty export loads as an empty table.
with

promos as (

    select * from {{ source('greenery', 'promos') }}

),

final as (

    select count(*) as n_rows
    from promos
    having count(*) = 0

)

select * from final
