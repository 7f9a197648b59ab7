with

users as (

    select * from {{ ref('stg_greenery__users') }}

),

addresses as (

    select * from {{ ref('stg_greenery__addresses') }}

),

us_states as (

    select * from {{ ref('us_states') }}

),

session_bursts as (

    select * from {{ ref('int_sessions_bot_flagged') }}

),

suspected_bot_users as (

    select distinct user_id
    from session_bursts
    where is_suspected_bot

),

final as (

    select
        users.user_id,
        users.first_name,
        users.last_name,
        users.first_name || ' ' || users.last_name as full_name,
        users.email,
        users.phone_number,
        users.created_at,
        users.updated_at,
        users.address_id,
        addresses.address,
        addresses.zipcode,
        addresses.state,
        us_states.state_code,
        us_states.region,
        addresses.country,
        suspected_bot_users.user_id is not null as is_suspected_bot

    from users
    left join addresses
        on users.address_id = addresses.address_id
    left join us_states
        on addresses.state = us_states.state_name
    left join suspected_bot_users
        on users.user_id = suspected_bot_users.user_id

)

select * from final
