{#-
    window_start(env): the start of a night's test window, from the environment variable `env`
    (set by `greenery run-job`), as a timestamp literal; none when it is unset or empty. An
    ISO timestamp only: anything else fails the test, naming the variable.
-#}
{% macro window_start(env) -%}
    {%- set text = env_var(env, '') | trim -%}
    {%- if not text -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?', text) -%}
        {{ exceptions.raise_compiler_error(env ~ " is not a timestamp (YYYY-MM-DD HH:MM:SS): " ~ text) }}
    {%- endif -%}
    {{ return("cast('" ~ text | replace('T', ' ') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}
