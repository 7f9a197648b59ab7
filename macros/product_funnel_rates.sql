{#-
    product_funnel_rates(human=false, names='v2'): the rates and drop-offs of a product funnel,
    from the n_[human_]<step>_sessions counts of count_funnel_sessions over (session, product)
    rows (columns prefixed human_ when human=true). Each rate is null when its denominator is
    zero (dbt_utils.safe_divide), and a double on every adapter: the counts are cast first, since
    integer / integer is a NUMBER with a fixed scale on Snowflake.
      add_to_cart_rate       sessions that added the product / sessions that viewed it
      cart_to_checkout_rate  sessions that bought it / sessions that added it
      view_to_checkout_rate  sessions that bought it / sessions that viewed it
      add_to_cart_dropoff    1 - add_to_cart_rate
      checkout_dropoff       1 - cart_to_checkout_rate
    names='v2' names the rates as the overall funnel does (funnel_rates); names='v1' gives the two
    middle ones the names of the product funnels' deprecated version 1, checkout_rate and
    conversion_rate. The formulas are the same, only the names differ: the versions cannot
    disagree.
-#}
{% macro product_funnel_rates(human=false, names='v2') -%}
    {%- set cart_to_checkout = {'v1': 'checkout_rate', 'v2': 'cart_to_checkout_rate'} -%}
    {%- set view_to_checkout = {'v1': 'conversion_rate', 'v2': 'view_to_checkout_rate'} -%}
    {%- if names not in cart_to_checkout -%}
        {{ exceptions.raise_compiler_error(
            "product_funnel_rates: names must be 'v1' or 'v2', not '" ~ names ~ "'") }}
    {%- endif -%}
    {%- set n = 'n_human_' if human else 'n_' -%}
    {%- set rate = 'human_' if human else '' -%}
    {%- set page_view = 'cast(' ~ n ~ 'page_view_sessions as double)' -%}
    {%- set add_to_cart = 'cast(' ~ n ~ 'add_to_cart_sessions as double)' -%}
    {%- set checkout = 'cast(' ~ n ~ 'checkout_sessions as double)' -%}
        {{ dbt_utils.safe_divide(add_to_cart, page_view) }}
            as {{ rate }}add_to_cart_rate,
        {{ dbt_utils.safe_divide(checkout, add_to_cart) }}
            as {{ rate }}{{ cart_to_checkout[names] }},
        {{ dbt_utils.safe_divide(checkout, page_view) }}
            as {{ rate }}{{ view_to_checkout[names] }},
        1 - {{ dbt_utils.safe_divide(add_to_cart, page_view) }}
            as {{ rate }}add_to_cart_dropoff,
        1 - {{ dbt_utils.safe_divide(checkout, add_to_cart) }}
            as {{ rate }}checkout_dropoff
{%- endmacro %}
