{#-
    Where each layer lands.
      prod: the exact schema names (staging, intermediate, marts, snapshots), for analysts.
      any other target (dev, ci): <target schema>_<layer>, so every developer (dev_alice_marts)
      and every CI run (ci_<run id>_marts) builds in schemas of its own.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.name == 'prod' -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
