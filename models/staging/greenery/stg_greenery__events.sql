with

source as (

    select * from {{ source('greenery', 'events') }}

),

url_parts as (

    select
        *,
        {{ dbt.split_part('page_url', "'/'", 4) }} as url_page_kind,
        nullif({{ dbt.split_part('page_url', "'/'", 5) }}, '') as url_object_id

    from source

),

final as (

    select
        event_id,
        session_id,
        user_id,
        event_type,
        page_url,
        -- events sometimes lose their ids; the page url still names the object
        coalesce(
            nullif(product_id, ''),
            case when url_page_kind = 'product' then url_object_id end
        ) as product_id,
        coalesce(
            nullif(order_id, ''),
            case when url_page_kind in ('checkout', 'shipping') then url_object_id end
        ) as order_id,
        {{ utc_timestamp('created_at') }} as created_at

    from url_parts

)

select * from final
