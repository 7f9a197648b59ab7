{#-
    wap_publish(suffix): after an audited build passed every test, replace each published table
    with its audited twin (a zero-copy clone on Snowflake, keeping the published table's grants).
    Each table is replaced atomically; the job rebuilds the views afterwards.
-#}
{% macro wap_publish(suffix) -%}
    {%- for audit, published, node in wap_tables(suffix) -%}
        {%- do adapter.create_schema(published) -%}
        {%- do run_query(clone_table(audit, published, node.config.get('transient', false))) -%}
        {{ log("published " ~ published, info=true) }}
    {%- endfor -%}
{%- endmacro %}
