{#-
    use_target_warehouse(): the post_hook of use_heavy_warehouse: back to the target's own
    Snowflake warehouse after a heavy model. Renders to nothing on other adapters or when
    $SNOWFLAKE_HEAVY_WAREHOUSE is unset, as its pre_hook does.
-#}
{% macro use_target_warehouse() -%}
    {%- if target.type == 'snowflake' and heavy_warehouse() -%}
        use warehouse {{ target.warehouse }}
    {%- endif -%}
{%- endmacro %}
