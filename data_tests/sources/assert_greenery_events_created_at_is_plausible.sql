-- Events happen between the shop's opening and the run.
{%- set format = '%Y-%m-%d %H:%M:%S' %}
{%- set latest = (run_started_at + modules.datetime.timedelta(days=1)).strftime(format) %}
with

events as (

    select * from {{ source('greenery', 'events') }}

),

bounds as (

    select
        cast('{{ var("greenery_opened_at", "2000-01-01") }}' as {{ dbt.type_timestamp() }})
            as opened_at,
        cast('{{ latest }}' as {{ dbt.type_timestamp() }}) as latest_at

),

checked as (

    select
        events.event_id,
        events.event_type,
        events.created_at,
        case
            when events.created_at < bounds.opened_at then 'before the shop opened'
            when events.created_at > bounds.latest_at then 'in the future'
        end as problem

    from events
    cross join bounds

),

final as (

    select *
    from checked
    where problem is not null

)

select * from final
