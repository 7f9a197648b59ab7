{{
    config(
        materialized='incremental',
        unique_key='session_date',
        event_time='session_date',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

{%- set steps = ['page_view', 'add_to_cart', 'checkout', 'package_shipped'] -%}

with

funnel_sessions as {{ not_materialized() }} (

    select * from {{ ref('fct_funnel_sessions') }}

),

sessions_to_count as (

    select * from funnel_sessions
    {% if is_incremental() -%}
    -- a night recomputes, each whole (every state), the days of the sessions that changed since
    -- this model last ran and the days the late-data window reaches
    where
        session_date in (
            select changed.session_date
            from funnel_sessions as changed
            where
                {{ changed_since_last_build('changed.dbt_loaded_at') }}
                or {{ in_trailing_partitions('changed.session_date', late_data_days()) }}
        )
    {%- endif %}

),

daily_by_state as (

    select
        session_date,
        state,
        min(state_code) as state_code,
        min(region) as region,
        min(session_week) as wk,
        {{ session_funnel_counts(steps) }}

    from sessions_to_count
    group by session_date, state

),

final as (

    select
        *,
        {{ session_funnel_rates() }},
        {{ utc_now() }} as dbt_loaded_at

    from daily_by_state

)

select * from final
