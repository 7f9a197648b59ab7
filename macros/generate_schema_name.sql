{#-
    Where each layer lands.
      prod: the exact schema names (staging, intermediate, marts, snapshots), for analysts.
      any other target (dev, ci): <target schema>_<layer>, so every developer (dev_alice_marts)
      and every CI run (ci_<run id>_marts) builds in schemas of its own.
    During an audited build on a remote warehouse (write-audit-publish, see wap_stage) the job
    sets $GREENERY_AUDIT_SUFFIX, and every schema gets it: the build writes and tests in audit
    twins of the published schemas (marts__audit), and only a build that passed is published.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set suffix = env_var('GREENERY_AUDIT_SUFFIX', '') -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}{{ suffix }}
    {%- elif target.name == 'prod' -%}
        {{ custom_schema_name | trim }}{{ suffix }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}{{ suffix }}
    {%- endif -%}
{%- endmacro %}
