{#-
    product_funnel_rates(human=false): the rates and drop-offs of a product funnel, from the
    n_[human_]<step>_sessions counts of count_funnel_sessions over (session, product) rows
    (columns prefixed human_ when human=true). Each rate is null when its denominator is zero
    (dbt_utils.safe_divide), and a double on every adapter: the counts are cast first, since
    integer / integer is a NUMBER with a fixed scale on Snowflake.
      add_to_cart_rate      sessions that added the product / sessions that viewed it
      checkout_rate         sessions that bought it / sessions that added it
      conversion_rate       sessions that bought it / sessions that viewed it
      add_to_cart_dropoff   1 - add_to_cart_rate
      checkout_dropoff      1 - checkout_rate
-#}
{% macro product_funnel_rates(human=false) -%}
    {%- set n = 'n_human_' if human else 'n_' -%}
    {%- set rate = 'human_' if human else '' -%}
    {%- set page_view = 'cast(' ~ n ~ 'page_view_sessions as double)' -%}
    {%- set add_to_cart = 'cast(' ~ n ~ 'add_to_cart_sessions as double)' -%}
    {%- set checkout = 'cast(' ~ n ~ 'checkout_sessions as double)' -%}
        {{ dbt_utils.safe_divide(add_to_cart, page_view) }}
            as {{ rate }}add_to_cart_rate,
        {{ dbt_utils.safe_divide(checkout, add_to_cart) }}
            as {{ rate }}checkout_rate,
        {{ dbt_utils.safe_divide(checkout, page_view) }}
            as {{ rate }}conversion_rate,
        1 - {{ dbt_utils.safe_divide(add_to_cart, page_view) }}
            as {{ rate }}add_to_cart_dropoff,
        1 - {{ dbt_utils.safe_divide(checkout, add_to_cart) }}
            as {{ rate }}checkout_dropoff
{%- endmacro %}
