{#-
    use_heavy_warehouse(): a pre_hook that moves a heavy (event-grain) model onto a larger
    Snowflake warehouse, heavy_warehouse() ($SNOWFLAKE_HEAVY_WAREHOUSE); use_target_warehouse is
    its post_hook, back to the target's own. Chosen by a hook pair, not by the
    `snowflake_warehouse` config: a hook is stored unrendered in the manifest and rendered only
    when the model runs, so production and CI may name different warehouses (or none) without
    slim CI's `state:modified` seeing a changed config. A model opts in with

        config(pre_hook="{{ use_heavy_warehouse() }}", post_hook="{{ use_target_warehouse() }}")

    (the inner curlies are deliberate: they keep the hook unrendered until run time). Both render
    to nothing on other adapters or when the variable is unset, and dbt skips an empty hook.
    If the model fails, its post_hook does not run and the connection stays on the heavy
    warehouse until the next heavy model's pair; that costs credits, never correctness.
-#}
{% macro use_heavy_warehouse() -%}
    {%- if target.type == 'snowflake' and heavy_warehouse() -%}
        use warehouse {{ heavy_warehouse() }}
    {%- endif -%}
{%- endmacro %}
