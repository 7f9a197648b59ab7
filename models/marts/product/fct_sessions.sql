{{
    config(
        materialized='incremental',
        unique_key='session_id',
        incremental_strategy='merge',
        on_schema_change='append_new_columns',
        snowflake_warehouse=heavy_warehouse()
    )
}}

with

sessions as (

    select * from {{ ref('int_sessions_aggregated') }}

),

events as (

    select * from {{ ref('stg_greenery__events') }}

),

{% if is_incremental() %}
-- sessions with an event inside the lookback window are recomputed whole
touched_sessions as (

    {{ sessions_touched_since_cutoff('events', 'session_ended_at') }}

),
{% endif %}

final as (

    select
        sessions.*,
        {{ week_of('sessions.session_started_at') }} as session_week,
        {{ dbt.datediff('sessions.session_started_at', 'sessions.session_ended_at', 'second') }}
            as session_length_seconds,
        sessions.n_checkout > 0 as is_converted,
        -- the dbt run that last (re)computed the row: incremental runs rewrite only what they touch
        '{{ invocation_id }}' as dbt_invocation_id

    from sessions
    {% if is_incremental() %}
    where sessions.session_id in (select touched_sessions.session_id from touched_sessions)
    {% endif %}

)

select * from final
