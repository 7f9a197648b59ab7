{#-
    product_funnel_rates(human=false): the rates and drop-offs of a product funnel, from the
    n_[human_]<step>_sessions counts of count_funnel_sessions over (session, product) rows
    (columns prefixed human_ when human=true). Each rate is null when its denominator is zero.
      add_to_cart_rate      sessions that added the product / sessions that viewed it
      checkout_rate         sessions that bought it / sessions that added it
      conversion_rate       sessions that bought it / sessions that viewed it
      add_to_cart_dropoff   1 - add_to_cart_rate
      checkout_dropoff      1 - checkout_rate
-#}
{% macro product_funnel_rates(human=false) -%}
    {%- set n = 'n_human_' if human else 'n_' -%}
    {%- set rate = 'human_' if human else '' -%}
        {{ safe_ratio(n ~ 'add_to_cart_sessions', n ~ 'page_view_sessions') }}
            as {{ rate }}add_to_cart_rate,
        {{ safe_ratio(n ~ 'checkout_sessions', n ~ 'add_to_cart_sessions') }}
            as {{ rate }}checkout_rate,
        {{ safe_ratio(n ~ 'checkout_sessions', n ~ 'page_view_sessions') }}
            as {{ rate }}conversion_rate,
        {{ dropoff(n ~ 'add_to_cart_sessions', n ~ 'page_view_sessions') }}
            as {{ rate }}add_to_cart_dropoff,
        {{ dropoff(n ~ 'checkout_sessions', n ~ 'add_to_cart_sessions') }}
            as {{ rate }}checkout_dropoff
{%- endmacro %}
