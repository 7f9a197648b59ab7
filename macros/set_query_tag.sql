{#-
    snowflake__set_query_tag(): Snowflake's implementation of dbt's set_query_tag, which dbt
    calls before each model (other adapters have no query tag). Every statement a model runs is
    tagged with JSON naming the app, the node, the target and the job run (GREENERY_RUN_ID, set
    by the greenery jobs, else dbt's invocation id), so warehouse cost and query history can be
    traced back to a model and a run. A model's own `query_tag` config wins. Returns the
    session's previous tag, which dbt restores after the model.
-#}
{% macro snowflake__set_query_tag() -%}
    {%- set tag = config.get('query_tag') -%}
    {%- if not tag -%}
        {%- set tag = tojson({
            "app": "greenery",
            "node": model.unique_id if model is defined and model is mapping else none,
            "target": target.name,
            "run_id": env_var('GREENERY_RUN_ID', invocation_id),
        }) -%}
    {%- endif -%}
    {%- set original_query_tag = get_current_query_tag() -%}
    {%- do run_query("alter session set query_tag = '" ~ tag | replace("'", "''") ~ "'") -%}
    {{ return(original_query_tag) }}
{%- endmacro %}
