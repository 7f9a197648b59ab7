{#-
    wap_publish(suffix, nodes): after an audited build passed every test, replace each published
    table the build made (`nodes`, unique ids) with its audited twin (a zero-copy clone on
    Snowflake, keeping the published table's grants). A table the build did not make is left as
    it is: a selected build publishes what it selected, never an audit table of an older build.
    Each table is replaced atomically; the job rebuilds the views afterwards.
-#}
{% macro wap_publish(suffix, nodes) -%}
    {%- for audit, published, node in wap_tables(suffix) if node.unique_id in nodes -%}
        {%- do adapter.create_schema(published) -%}
        {%- do run_query(clone_table(audit, published, node.config.get('transient', false))) -%}
        {{ log("published " ~ published, info=true) }}
    {%- endfor -%}
{%- endmacro %}
