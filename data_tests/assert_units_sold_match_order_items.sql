-- Units sold per product in dim_products add up to the quantities ordered.
with

products as (

    select * from {{ ref('dim_products') }}

),

order_items as (

    select * from {{ ref('stg_greenery__order_items') }}

),

ordered as (

    select sum(quantity) as units
    from order_items

),

sold as (

    select sum(units_sold) as units
    from products

),

mismatch as (

    select
        sold.units as units_sold,
        ordered.units as units_ordered

    from sold
    cross join ordered
    where sold.units != ordered.units

)

select * from mismatch
