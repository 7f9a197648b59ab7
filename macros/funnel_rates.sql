{#-
    funnel_rates(human=false): the step-to-step rates and drop-offs of the overall funnel, from
    the n_[human_]<step>_sessions counts of count_funnel_sessions (columns prefixed human_ when
    human=true). Each rate is null when its denominator is zero.
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
        {{ safe_ratio(n ~ 'add_to_cart_sessions', n ~ 'page_view_sessions') }}
            as {{ rate }}add_to_cart_rate,
        {{ safe_ratio(n ~ 'checkout_sessions', n ~ 'add_to_cart_sessions') }}
            as {{ rate }}cart_to_checkout_rate,
        {{ safe_ratio(n ~ 'checkout_sessions', n ~ 'sessions') }}
            as {{ rate }}overall_conversion_rate,
        {{ dropoff(n ~ 'add_to_cart_sessions', n ~ 'page_view_sessions') }}
            as {{ rate }}add_to_cart_dropoff,
        {{ dropoff(n ~ 'checkout_sessions', n ~ 'add_to_cart_sessions') }}
            as {{ rate }}checkout_dropoff,
        {{ safe_ratio(n ~ 'package_shipped_sessions', n ~ 'checkout_sessions') }}
            as {{ rate }}checkout_to_shipped_rate,
        {{ dropoff(n ~ 'package_shipped_sessions', n ~ 'checkout_sessions') }}
            as {{ rate }}package_shipped_dropoff
{%- endmacro %}
