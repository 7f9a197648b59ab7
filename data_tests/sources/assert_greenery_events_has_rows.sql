-- The events source has rows: a header-only or empty export loads as an empty table.
with

events as (

    select * from {{ source('greenery', 'events') }}

),

final as (

    select count(*) as n_rows
    from events
    having count(*) = 0

)

select * from final
