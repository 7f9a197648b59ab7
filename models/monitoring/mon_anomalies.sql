{#-
    What went quietly wrong, by day, in the anomaly window (docs/operations.md, "Anomaly
    warnings"): no test fails on a day with a tenth of its events, or a conversion rate that
    halved, so these are warnings, which `greenery run-job` reports for the days a night brought.

    - volume: a day's rows of a growing source or mart against the median of the same weekday
      in the weeks before it (var anomalies: weeks_compared, with at least min_weeks of them),
      outside [volume_low, volume_high] times that median;
    - gap: a day without a single event or order, before the newest day that has some;
    - rate: a day's funnel rate against its median over the days of the weeks before it, outside
      [rate_low, rate_high] times that median, for days with at least rate_min_sessions human
      sessions.
-#}

{%- set settings = var('anomalies') -%}
{%- set weeks = range(7, 7 * settings['weeks_compared'] + 1, 7) | list -%}
{%- set rates = settings['rates'] -%}

with

volumes as (

    select * from {{ ref('mon_daily_volumes') }}

),

daily_funnel as (

    select * from {{ ref('f_daily_sales_funnel') }}

),

volume_baselines as (

    select
        judged.table_name,
        judged.date_day,
        judged.n_rows,
        median(previous.n_rows) as expected,
        count(previous.n_rows) as n_compared

    from volumes as judged
    left join volumes as previous
        on
            judged.table_name = previous.table_name
            and judged.date_day - previous.date_day in ({{ weeks | join(', ') }})
            and previous.n_rows > 0
    group by judged.table_name, judged.date_day, judged.n_rows

),

volume_anomalies as (

    select
        'volume' as kind,
        table_name as subject,
        date_day,
        cast(n_rows as {{ dbt.type_float() }}) as observed,
        cast(expected as {{ dbt.type_float() }}) as expected,
        expected * {{ settings['volume_low'] }} as expected_low,
        expected * {{ settings['volume_high'] }} as expected_high

    from volume_baselines
    where
        n_rows > 0
        and n_compared >= {{ settings['min_weeks'] }}
        and (
            n_rows < expected * {{ settings['volume_low'] }}
            or n_rows > expected * {{ settings['volume_high'] }}
        )

),

days_with_rows as (

    select
        table_name,
        min(date_day) as first_day,
        max(date_day) as last_day

    from volumes
    where n_rows > 0
    group by table_name

),

gaps as (

    select
        'gap' as kind,
        volumes.table_name as subject,
        volumes.date_day,
        cast(0 as {{ dbt.type_float() }}) as observed,
        cast(null as {{ dbt.type_float() }}) as expected,
        cast(1 as {{ dbt.type_float() }}) as expected_low,
        cast(null as {{ dbt.type_float() }}) as expected_high

    from volumes
    inner join days_with_rows
        on volumes.table_name = days_with_rows.table_name
    where
        volumes.layer = 'source'
        and volumes.n_rows = 0
        and volumes.date_day > days_with_rows.first_day
        and volumes.date_day < days_with_rows.last_day

),

daily_rates as (

    {%- for rate in rates %}
    select
        '{{ rate }}' as metric,
        daily_funnel.session_date as date_day,
        daily_funnel.n_human_sessions,
        cast(daily_funnel.{{ rate }} as {{ dbt.type_float() }}) as observed
    from daily_funnel
    where daily_funnel.session_date >= (select min(volumes.date_day) from volumes)
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

rate_baselines as (

    select
        judged.metric,
        judged.date_day,
        judged.observed,
        median(previous.observed) as expected,
        count(previous.observed) as n_compared

    from daily_rates as judged
    left join daily_rates as previous
        on
            judged.metric = previous.metric
            and judged.date_day - previous.date_day
            between 1 and {{ 7 * settings['weeks_compared'] }}
            and previous.n_human_sessions >= {{ settings['rate_min_sessions'] }}
    where judged.n_human_sessions >= {{ settings['rate_min_sessions'] }}
    group by judged.metric, judged.date_day, judged.observed

),

rate_anomalies as (

    select
        'rate' as kind,
        metric as subject,
        date_day,
        observed,
        expected,
        expected * {{ settings['rate_low'] }} as expected_low,
        expected * {{ settings['rate_high'] }} as expected_high

    from rate_baselines
    where
        n_compared >= 7 * {{ settings['min_weeks'] }}
        and (
            observed < expected * {{ settings['rate_low'] }}
            or observed > expected * {{ settings['rate_high'] }}
        )

),

final as (

    select * from volume_anomalies
    union all
    select * from gaps
    union all
    select * from rate_anomalies

)

select * from final
