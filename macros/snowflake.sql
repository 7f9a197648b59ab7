{#- Snowflake-only configuration helpers. Every other adapter ignores what they configure. -#}

{#-
    query_tag: every statement a model runs on Snowflake is tagged with the app, the node, the
    target and the job run (GREENERY_RUN_ID, set by the greenery jobs), so warehouse cost and
    query history can be traced back to a model and a run. A model's own `query_tag` config wins.
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

{#-
    The warehouse heavy models run on: $SNOWFLAKE_HEAVY_WAREHOUSE when set (a larger warehouse
    for the event-grain models), else the target's own. Used as `snowflake_warehouse` config.
-#}
{% macro heavy_warehouse() -%}
    {{ return(env_var('SNOWFLAKE_HEAVY_WAREHOUSE', '') or none) }}
{%- endmacro %}
