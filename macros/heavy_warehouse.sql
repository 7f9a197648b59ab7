{#-
    heavy_warehouse(): the Snowflake warehouse the heavy (event-grain) models run on,
    $SNOWFLAKE_HEAVY_WAREHOUSE, or none when it is unset or blank. Read by use_heavy_warehouse
    and use_target_warehouse, when a hook runs.
-#}
{% macro heavy_warehouse() -%}
    {{ return(env_var('SNOWFLAKE_HEAVY_WAREHOUSE', '') | trim or none) }}
{%- endmacro %}
