{#-
    One row per day from 2019-01-01 for 10,000 days (to 2046): the time spine MetricFlow joins to
    when a metric fills days without rows. Built from digits, so it compiles on every adapter.
-#}

with

digits as (

    select 0 as digit union all select 1 union all select 2 union all select 3
    union all select 4 union all select 5 union all select 6 union all select 7
    union all select 8 union all select 9

),

day_numbers as (

    select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + units.digit as n
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as units

),

final as (

    select cast({{ dbt.dateadd('day', 'n', "cast('2019-01-01' as date)") }} as date) as date_day
    from day_numbers

)

select * from final
