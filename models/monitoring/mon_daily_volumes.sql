{#-
    Rows per day of the growing sources and marts, over the anomaly window (var anomalies:
    window_days) before the newest event: what mon_anomalies compares each day with. A day with
    no row is there, with 0: it is what a freshness gap looks like.
-#}

{%- set window_days = var('anomalies')['window_days'] -%}
{#- each table counted: its name, its layer, the import CTE holding it, its creation time -#}
{%- set counted_tables = [
    ('events', 'source', 'events', 'created_at'),
    ('orders', 'source', 'orders', 'created_at'),
    ('fct_sessions', 'mart', 'sessions', 'session_started_at'),
    ('fct_orders', 'mart', 'ordered', 'created_at'),
] -%}

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

    {%- for table_name, layer, rows, created in counted_tables %}
    select
        '{{ table_name }}' as table_name,
        cast({{ rows }}.{{ created }} as date) as date_day,
        count(*) as n_rows
    from {{ rows }}
    inner join window_bounds
        on {{ rows }}.{{ created }} >= window_bounds.first_day
    group by cast({{ rows }}.{{ created }} as date)
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

counted_tables as (

    {%- for table_name, layer, rows, created in counted_tables %}
    select
        '{{ table_name }}' as table_name,
        '{{ layer }}' as layer
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

window_days as (

    select dates.date_day
    from dates
    inner join window_bounds
        on dates.date_day between window_bounds.first_day and window_bounds.last_day

),

final as (

    select
        counted_tables.table_name,
        counted_tables.layer,
        window_days.date_day,
        coalesce(counted.n_rows, 0) as n_rows

    from counted_tables
    cross join window_days
    left join counted
        on
            counted_tables.table_name = counted.table_name
            and window_days.date_day = counted.date_day

)

select * from final
