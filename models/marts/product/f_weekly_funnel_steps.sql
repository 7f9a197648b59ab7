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

weekly_funnel as {{ not_materialized() }} (

    select * from {{ ref('f_weekly_sales_funnel') }}

),

funnel_steps as (

    select * from {{ ref('funnel_steps') }}

),

-- a night rewrites the weeks the weekly funnel rewrote since this model last ran
weeks_to_build as (

    select * from weekly_funnel
    {% if is_incremental() -%}
    where
        wk in (
            select changed.wk
            from weekly_funnel as changed
            where {{ changed_since_last_build('changed.dbt_loaded_at') }}
        )
    {%- endif %}

),

-- one row per week and step, from the weekly funnel's columns
step_sessions as (

    {%- for step in steps %}
    select
        wk,
        '{{ step }}' as event_type,
        n_{{ step }}_sessions as n_sessions,
        n_human_{{ step }}_sessions as n_human_sessions
    from weeks_to_build
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        step_sessions.wk,
        funnel_steps.step_order,
        step_sessions.event_type,
        funnel_steps.step_label,
        step_sessions.n_sessions,
        step_sessions.n_human_sessions,
        {{ dbt_utils.safe_divide(
            'cast(step_sessions.n_sessions as double)',
            'lag(step_sessions.n_sessions) over (partition by step_sessions.wk order by funnel_steps.step_order)'
        ) }} as step_conversion_rate,
        {{ dbt_utils.safe_divide(
            'cast(step_sessions.n_human_sessions as double)',
            'lag(step_sessions.n_human_sessions) over (partition by step_sessions.wk order by funnel_steps.step_order)'
        ) }} as human_step_conversion_rate,
        {{ utc_now() }} as dbt_loaded_at

    from step_sessions
    inner join funnel_steps
        on step_sessions.event_type = funnel_steps.event_type

)

select * from final
