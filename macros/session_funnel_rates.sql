{#-
    session_funnel_rates(): from the counts of session_funnel_counts, the rates and drop-offs
    with and without suspected bots (funnel_rates), then n_suspected_bot_sessions and
    suspected_bot_session_share, the share of the group's sessions flagged as bots.
-#}
{% macro session_funnel_rates() -%}
        {{ funnel_rates() }},
        {{ funnel_rates(human=true) }},
        n_sessions - n_human_sessions as n_suspected_bot_sessions,
        {{ dbt_utils.safe_divide('cast(n_sessions - n_human_sessions as double)', 'n_sessions') }}
            as suspected_bot_session_share
{%- endmacro %}
