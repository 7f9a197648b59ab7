{{ config(materialized='table') }}

with

funnel_steps as (

    select * from {{ ref('funnel_steps') }}

),

events as (

    select * from {{ ref('stg_greenery__events') }}

),

found_event_types as (

    select distinct event_type from events
    where event_type is not null

),

-- event types in the data that are not funnel steps: they get columns too, after the steps
other_event_types as (

    select found_event_types.event_type
    from found_event_types
    left join funnel_steps
        on found_event_types.event_type = funnel_steps.event_type
    where funnel_steps.event_type is null

),

event_types as (

    select
        event_type,
        step_order
    from funnel_steps

    union all

    select
        event_type,
        null as step_order
    from other_event_types

),

final as (

    select
        event_type,
        step_order,
        row_number() over (order by step_order nulls last, event_type) as column_order

    from event_types

)

select * from final
