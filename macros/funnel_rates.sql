{#-
    funnel_rates(human=false): the step-to-step rates and drop-offs of the overall funnel, from
    the n_[human_]<step>_sessions counts of count_funnel_sessions (columns prefixed human_ when
    human=true). Each rate is null when its denominator is zero (dbt_utils.safe_divide), and a
    double on every adapter: the counts are cast first, since integer / integer is a NUMBER with
    a fixed scale on Snowflake.
      add_to_cart_rate          add_to_cart / page_view
      cart_to_checkout_rate     checkout / add_to_cart
      overall_conversion_rate   checkout / all sessions
      add_to_cart_dropoff       1 - add_to_cart_rate
      checkout_dropoff          1 - cart_to_checkout_rate
      checkout_to_shipped_rate  package_shipped / checkout
      package_shipped_dropoff   1 - checkout_to_shipped_rate
-#}
{% macro funnel_rates(human=false) -%}
    {%- set n = 'n_human_' if human else 'n_' -%}
    {%- set rate = 'human_' if human else '' -%}
    {%- set sessions = 'cast(' ~ n ~ 'sessions as double)' -%}
    {%- set page_view = 'cast(' ~ n ~ 'page_view_sessions as double)' -%}
    {%- set add_to_cart = 'cast(' ~ n ~ 'add_to_cart_sessions as double)' -%}
    {%- set checkout = 'cast(' ~ n ~ 'checkout_sessions as double)' -%}
    {%- set package_shipped = 'cast(' ~ n ~ 'package_shipped_sessions as double)' -%}
        {{ dbt_utils.safe_divide(add_to_cart, page_view) }}
            as {{ rate }}add_to_cart_rate,
        {{ dbt_utils.safe_divide(checkout, add_to_cart) }}
            as {{ rate }}cart_to_checkout_rate,
        {{ dbt_utils.safe_divide(checkout, sessions) }}
            as {{ rate }}overall_conversion_rate,
        1 - {{ dbt_utils.safe_divide(add_to_cart, page_view) }}
            as {{ rate }}add_to_cart_dropoff,
        1 - {{ dbt_utils.safe_divide(checkout, add_to_cart) }}
            as {{ rate }}checkout_dropoff,
        {{ dbt_utils.safe_divide(package_shipped, checkout) }}
            as {{ rate }}checkout_to_shipped_rate,
        1 - {{ dbt_utils.safe_divide(package_shipped, checkout) }}
            as {{ rate }}package_shipped_dropoff
{%- endmacro %}
