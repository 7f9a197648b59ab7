{{ config(materialized='view') }}

{#-
    A view: it counts the recorded status changes, one row per week and transition.
-#}

with

changes as (

    select * from {{ ref('fct_order_status_changes') }}

),

transitions as (

    select
        {{ week_of('changed_at') }} as wk,
        previous_status,
        status,
        order_id

    from changes
    where change_kind = 'status_changed'

),

final as (

    select
        transitions.wk,
        transitions.previous_status,
        -- named explicitly: Snowflake's contract check compares the name's case
        transitions.status as status,  -- noqa: AL09
        transitions.previous_status || ' -> ' || transitions.status as transition,
        cast(count(*) as integer) as n_orders

    from transitions
    group by transitions.wk, transitions.previous_status, transitions.status

)

select * from final
