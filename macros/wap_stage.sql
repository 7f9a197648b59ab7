{#-
    wap_stage(suffix): before an audited build on a remote warehouse (Snowflake), copy what the
    build continues from (snapshot history and incremental models) from the published schemas
    into the audit schemas, so the build writes and tests there. Zero-copy clones on Snowflake.
-#}
{% macro wap_stage(suffix) -%}
    {%- for audit, published, node in wap_tables(suffix, kind='history') -%}
        {%- do adapter.create_schema(audit) -%}
        {%- if adapter.get_relation(published.database, published.schema, published.identifier) -%}
            {%- do run_query(clone_table(published, audit, node.config.get('transient', false))) -%}
        {%- else -%}
            {%- do run_query('drop table if exists ' ~ audit) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
