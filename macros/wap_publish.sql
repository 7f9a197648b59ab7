{#-
    wap_publish(suffix, nodes, exports): after an audited build passed every test, replace each
    published table the build made (`nodes`, unique ids) with its audited twin (a zero-copy clone
    on Snowflake, keeping the published table's grants). A table the build did not make is left
    as it is: a selected build publishes what it selected, never an audit table of an older
    build. The saved queries' exports (`exports`: database, schema, identifier in the audit
    schemas; export_saved_queries) are published the same way, when the build wrote them. Each
    table is replaced atomically; the job rebuilds the views afterwards.
-#}
{% macro wap_publish(suffix, nodes, exports=[]) -%}
    {%- for audit, published, node in wap_tables(suffix) if node.unique_id in nodes -%}
        {%- do adapter.create_schema(published) -%}
        {%- do run_query(clone_table(audit, published, node.config.get('transient', false))) -%}
        {{ log("published " ~ published, info=true) }}
    {%- endfor -%}
    {%- for export in exports -%}
        {%- set audit = adapter.get_relation(
            database=export.database, schema=export.schema, identifier=export.identifier) -%}
        {%- if audit is not none -%}
            {%- set published = audit.incorporate(
                path={'schema': export.schema[:-(suffix | length)]}) -%}
            {%- do adapter.create_schema(published) -%}
            {%- do run_query(clone_table(audit, published)) -%}
            {{ log("published " ~ published, info=true) }}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
