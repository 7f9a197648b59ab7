{#-
    apply_weekly_history(week, products, orders): one week of the weekly history replay
    (`greenery replay`), run as a dbt operation so it runs the same on every adapter: DuckDB,
    Snowflake and the Snowflake emulator. Sets the raw products' inventory and the raw orders'
    status, tracking id, shipping service and estimated delivery to the week's state. Every key
    must exist first: when any is missing it changes nothing and fails, naming them (the data is
    not greenery's, or a subset of it).
-#}
{% macro apply_weekly_history(week, products, orders) %}
    {%- set products_relation = source('greenery', 'products') -%}
    {%- set orders_relation = source('greenery', 'orders') -%}
    {%- set missing = [] -%}
    {%- for product in products -%}
        {%- set found = run_query("select count(*) from " ~ products_relation ~ " where product_id = " ~ sql_text(product.product_id)).columns[0].values()[0] -%}
        {%- if found | int != 1 -%}{%- do missing.append(products_relation ~ ".product_id = " ~ product.product_id) -%}{%- endif -%}
    {%- endfor -%}
    {%- for order in orders -%}
        {%- set found = run_query("select count(*) from " ~ orders_relation ~ " where order_id = " ~ sql_text(order.order_id)).columns[0].values()[0] -%}
        {%- if found | int != 1 -%}{%- do missing.append(orders_relation ~ ".order_id = " ~ order.order_id) -%}{%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error("the weekly history names rows the raw data lacks (not greenery's data, or a subset): " ~ (missing | join("; "))) }}
    {%- endif -%}
    {%- for product in products -%}
        {%- do run_query("update " ~ products_relation ~ " set inventory = " ~ (product.inventory | int) ~ " where product_id = " ~ sql_text(product.product_id)) -%}
    {%- endfor -%}
    {%- for order in orders -%}
        {%- set estimate = "cast(" ~ sql_text(order.estimated_delivery_at) ~ " as " ~ dbt.type_timestamp() ~ ")" if order.estimated_delivery_at else "null" -%}
        {%- do run_query(
            "update " ~ orders_relation
            ~ " set status = " ~ sql_text(order.status)
            ~ ", tracking_id = " ~ sql_text(order.tracking_id)
            ~ ", shipping_service = " ~ sql_text(order.shipping_service)
            ~ ", estimated_delivery_at = " ~ estimate
            ~ " where order_id = " ~ sql_text(order.order_id)) -%}
    {%- endfor -%}
    {{ log("week " ~ week ~ ": " ~ (products | length) ~ " products and " ~ (orders | length) ~ " orders set", info=true) }}
{% endmacro %}
