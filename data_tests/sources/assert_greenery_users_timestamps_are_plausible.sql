-- Accounts are created between the shop's opening and the run, and updated after they are
-- created and not in the future.
{%- set format = '%Y-%m-%d %H:%M:%S' %}
{%- set latest = (run_started_at + modules.datetime.timedelta(days=1)).strftime(format) %}
with

users as (

    select * from {{ source('greenery', 'users') }}

),

bounds as (

    select
        cast('{{ var("greenery_opened_at", "2000-01-01") }}' as {{ dbt.type_timestamp() }})
            as opened_at,
        cast('{{ latest }}' as {{ dbt.type_timestamp() }}) as latest_at

),

checked as (

    select
        users.user_id,
        users.created_at,
        users.updated_at,
        case
            when users.created_at < bounds.opened_at then 'created before the shop opened'
            when users.created_at > bounds.latest_at then 'created in the future'
            when users.updated_at < users.created_at then 'updated before it was created'
            when users.updated_at > bounds.latest_at then 'updated in the future'
        end as problem

    from users
    cross join bounds

),

final as (

    select *
    from checked
    where problem is not null

)

select * from final
