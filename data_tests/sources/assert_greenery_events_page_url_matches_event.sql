-- An event's page url agrees with the event: product events happen on a product page naming
-- the event's product, checkout and package_shipped events on the checkout and shipping pages
-- naming the event's order. An event that lost its id (empty) is fine: staging takes the id
-- from the url.
with

events as (

    select * from {{ source('greenery', 'events') }}

),

url_parts as (

    select
        event_id,
        event_type,
        page_url,
        product_id,
        order_id,
        {{ dbt.split_part('page_url', "'/'", 4) }} as url_page_kind,
        {{ dbt.split_part('page_url', "'/'", 5) }} as url_object_id

    from events
    -- on a night, the events that arrived since the last published run (in_night_window)
    where {{ in_night_window('created_at') }}

),

checked as (

    select
        *,
        case
            when event_type in ('page_view', 'add_to_cart') and url_page_kind != 'product'
                then 'product event off a product page'
            when event_type = 'checkout' and url_page_kind != 'checkout'
                then 'checkout event off the checkout page'
            when event_type = 'package_shipped' and url_page_kind != 'shipping'
                then 'package_shipped event off the shipping page'
            when url_page_kind = 'product' and product_id != url_object_id
                then 'page url names another product'
            when url_page_kind in ('checkout', 'shipping') and order_id != url_object_id
                then 'page url names another order'
        end as problem

    from url_parts

),

final as (

    select *
    from checked
    where problem is not null

)

select * from final
