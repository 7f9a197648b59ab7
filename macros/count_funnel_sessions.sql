{#-
    count_funnel_sessions(steps, human=false): one integer column per funnel step, the rows of the
    group that reached it, read from the boolean has_<step> columns the session models make with
    sum_events:
      human=false: n_<step>_sessions        (every session)
      human=true:  n_human_<step>_sessions  (sessions not flagged is_suspected_bot)
    Rows are sessions in the overall funnels and (session, product) pairs in the product funnels.
-#}
{% macro count_funnel_sessions(steps, human=false) -%}
    {%- set prefix = 'n_human_' if human else 'n_' -%}
    {%- set condition = ' and not is_suspected_bot' if human else '' -%}
    {%- for step in steps %}
        cast(sum(case when has_{{ step }}{{ condition }} then 1 else 0 end) as integer)
            as {{ prefix }}{{ step }}_sessions{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
