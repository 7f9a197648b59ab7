{{
    config(
        materialized='incremental',
        unique_key='wk',
        event_time='wk',
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
    -- a night recomputes, each whole, the weeks of the sessions that changed since this model
    -- last ran and the weeks the late-data window reaches
    where
        session_week in (
            select changed.session_week
            from funnel_sessions as changed
            where
                {{ changed_since_last_build('changed.dbt_loaded_at') }}
                or {{ in_trailing_partitions('changed.session_week', late_data_days() + 7, 'wk') }}
        )
    {%- endif %}

),

weekly as (

    select
        session_week as wk,
        {{ session_funnel_counts(steps) }}

    from sessions_to_count
    group by session_week

),

final as (

    select
        *,
        {{ session_funnel_rates() }},
        {{ utc_now() }} as dbt_loaded_at

    from weekly

)

select * from final
