with

promos as (

    select * from {{ ref('stg_greenery__promos') }}

),

orders as (

    select * from {{ ref('stg_greenery__orders') }}

),

usage as (

    select
        promo_id,
        count(*) as n_orders

    from orders
    where promo_id is not null
    group by promo_id

),

final as (

    select
        promos.promo_id,
        promos.discount,
        promos.promo_status,
        coalesce(usage.n_orders, 0) as n_orders

    from promos
    left join usage
        on promos.promo_id = usage.promo_id

)

select * from final
