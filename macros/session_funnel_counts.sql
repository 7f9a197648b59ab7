{#-
    session_funnel_counts(steps): the counts of a session funnel for the current grouping of
    fct_funnel_sessions rows: n_sessions and n_<step>_sessions over every session, then
    n_human_sessions and n_human_<step>_sessions over the sessions not flagged as suspected
    bots. The weekly, daily and state funnels group by their grain and call this.
-#}
{% macro session_funnel_counts(steps) -%}
        cast(count(*) as integer) as n_sessions,
        {{ count_funnel_sessions(steps) }},
        cast(sum(case when is_suspected_bot then 0 else 1 end) as integer) as n_human_sessions,
        {{ count_funnel_sessions(steps, human=true) }}
{%- endmacro %}
