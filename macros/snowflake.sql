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
    The warehouse the heavy (event-grain) models run on: $SNOWFLAKE_HEAVY_WAREHOUSE when set, a
    larger warehouse, else the target's own. Chosen by a pre_hook/post_hook pair, not by the
    `snowflake_warehouse` config: a hook is stored unrendered in the manifest and rendered only
    when the model runs, so production and CI may name different warehouses (or none) without
    slim CI's `state:modified` seeing a changed config. A model opts in with

        config(pre_hook="{{ use_heavy_warehouse() }}", post_hook="{{ use_target_warehouse() }}")

    (the inner curlies are deliberate: they keep the hook unrendered until run time). Both render
    to nothing on other adapters or when the variable is unset, and dbt skips an empty hook.
    If the model fails, its post_hook does not run and the connection stays on the heavy
    warehouse until the next heavy model's pair; that costs credits, never correctness.
-#}
{% macro heavy_warehouse() -%}
    {{ return(env_var('SNOWFLAKE_HEAVY_WAREHOUSE', '') | trim or none) }}
{%- endmacro %}

{% macro use_heavy_warehouse() -%}
    {%- if target.type == 'snowflake' and heavy_warehouse() -%}
        use warehouse {{ heavy_warehouse() }}
    {%- endif -%}
{%- endmacro %}

{% macro use_target_warehouse() -%}
    {%- if target.type == 'snowflake' and heavy_warehouse() -%}
        use warehouse {{ target.warehouse }}
    {%- endif -%}
{%- endmacro %}
