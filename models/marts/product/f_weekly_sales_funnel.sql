with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

weekly as (

    select
        session_week as wk,
        count(*) as n_sessions,
        sum(case when n_page_view > 0 then 1 else 0 end) as n_page_view_sessions,
        sum(case when n_add_to_cart > 0 then 1 else 0 end) as n_add_to_cart_sessions,
        sum(case when n_checkout > 0 then 1 else 0 end) as n_checkout_sessions,
        sum(case when n_package_shipped > 0 then 1 else 0 end) as n_package_shipped_sessions

    from sessions
    group by session_week

),

final as (

    select
        wk,
        cast(n_sessions as integer) as n_sessions,
        cast(n_page_view_sessions as integer) as n_page_view_sessions,
        cast(n_add_to_cart_sessions as integer) as n_add_to_cart_sessions,
        cast(n_checkout_sessions as integer) as n_checkout_sessions,
        cast(n_package_shipped_sessions as integer) as n_package_shipped_sessions,
        {{ safe_ratio('n_add_to_cart_sessions', 'n_page_view_sessions') }} as add_to_cart_rate,
        {{ safe_ratio('n_checkout_sessions', 'n_add_to_cart_sessions') }} as cart_to_checkout_rate,
        {{ safe_ratio('n_checkout_sessions', 'n_sessions') }} as overall_conversion_rate,
        {{ dropoff('n_add_to_cart_sessions', 'n_page_view_sessions') }} as add_to_cart_dropoff,
        {{ dropoff('n_checkout_sessions', 'n_add_to_cart_sessions') }} as checkout_dropoff

    from weekly

)

select * from final
