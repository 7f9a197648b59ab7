with

session_products as (

    select * from {{ ref('fct_session_products') }}

),

weekly as (

    select
        session_week as wk,
        product_id,
        max(product_name) as product_name,
        sum(case when has_page_view then 1 else 0 end) as n_page_view_sessions,
        sum(case when has_add_to_cart then 1 else 0 end) as n_add_to_cart_sessions,
        -- purchase: the session's checkout order contains the product (from order_items)
        sum(case when has_checkout then 1 else 0 end) as n_checkout_sessions

    from session_products
    group by session_week, product_id

),

final as (

    select
        wk,
        product_id,
        product_name,
        cast(n_page_view_sessions as integer) as n_page_view_sessions,
        cast(n_add_to_cart_sessions as integer) as n_add_to_cart_sessions,
        cast(n_checkout_sessions as integer) as n_checkout_sessions,
        {{ safe_ratio('n_add_to_cart_sessions', 'n_page_view_sessions') }} as add_to_cart_rate,
        {{ safe_ratio('n_checkout_sessions', 'n_add_to_cart_sessions') }} as checkout_rate,
        {{ safe_ratio('n_checkout_sessions', 'n_page_view_sessions') }} as conversion_rate,
        {{ dropoff('n_add_to_cart_sessions', 'n_page_view_sessions') }} as add_to_cart_dropoff,
        {{ dropoff('n_checkout_sessions', 'n_add_to_cart_sessions') }} as checkout_dropoff

    from weekly

)

select * from final
