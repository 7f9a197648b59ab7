{#-
    One row per day from 2019-01-01 for 10,000 days (to 2046): the time spine MetricFlow joins to
    when a metric fills days without rows. Built from digits, so it compiles on every adapter.
-#}

with

digits as (

    {%- for digit in range(10) %}
    select {{ digit }} as digit
    {{ "union all" if not loop.last }}
    {%- endfor %}

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
