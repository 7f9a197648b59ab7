{#-
    Rows per day of the growing sources and marts, over the anomaly window (var anomalies:
    window_days) before the newest event: what mon_anomalies compares each day with. A day with
    no row is there, with 0: it is what a freshness gap looks like.
-#}

{%- set window_days = var('anomalies')['window_days'] -%}

with

events as (

    select * from {{ source('greenery', 'events') }}

),

orders as (

    select * from {{ source('greenery', 'orders') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

ordered as (

    select * from {{ ref('fct_orders') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

window_bounds as (

    select
        cast(max(created_at) as date) as last_day,
        cast({{ dbt.dateadd('day', -window_days, 'max(created_at)') }} as date) as first_day
    from events

),

counted as (

    select 'events' as table_name, cast(created_at as date) as day, count(*) as n_rows
    from events
    where created_at >= (select first_day from window_bounds)
    group by 1, 2

    union all

    select 'orders' as table_name, cast(created_at as date) as day, count(*) as n_rows
    from orders
    where created_at >= (select first_day from window_bounds)
    group by 1, 2

    union all

    select 'fct_sessions' as table_name, cast(session_started_at as date) as day, count(*) as n_rows
    from sessions
    where session_started_at >= (select first_day from window_bounds)
    group by 1, 2

    union all

    select 'fct_orders' as table_name, cast(created_at as date) as day, count(*) as n_rows
    from ordered
    where created_at >= (select first_day from window_bounds)
    group by 1, 2

),

tables as (

    select 'events' as table_name, 'source' as layer
    union all
    select 'orders' as table_name, 'source' as layer
    union all
    select 'fct_sessions' as table_name, 'mart' as layer
    union all
    select 'fct_orders' as table_name, 'mart' as layer

),

window_days as (

    select dates.date_day as day
    from dates
    inner join window_bounds
        on dates.date_day between window_bounds.first_day and window_bounds.last_day

),

final as (

    select
        tables.table_name,
        tables.layer,
        window_days.day,
        coalesce(counted.n_rows, 0) as n_rows

    from tables
    cross join window_days
    left join counted
        on
            tables.table_name = counted.table_name
            and window_days.day = counted.day

)

select * from final
