{#-
    wap_tables(suffix): the tables write-audit-publish carries, as (audit, published, node)
    triples. Called with $GREENERY_AUDIT_SUFFIX set, so the graph's schemas are the audit ones;
    a published schema is its audit schema without the suffix. Views are not carried: they are
    rebuilt in the published schemas, where they read the published tables.
      kind='history': snapshots and incremental models, what a build continues from;
      kind='all':     every table a build makes (models, snapshots, seeds).
-#}
{% macro wap_tables(suffix, kind='all') -%}
    {%- set triples = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'snapshot', 'seed') -%}
        {%- set materialized = node.config.materialized -%}
        {%- set is_history = node.resource_type == 'snapshot' or materialized == 'incremental' -%}
        {%- set is_table = materialized in ('table', 'incremental', 'snapshot', 'seed') -%}
        {%- if is_table and (kind == 'all' or is_history) -%}
            {%- if not node.schema.endswith(suffix) -%}
                {{ exceptions.raise_compiler_error(
                    "wap_tables: " ~ node.unique_id ~ " is in schema " ~ node.schema
                    ~ ", not an audit schema ending in " ~ suffix) }}
            {%- endif -%}
            {%- set audit = api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias, type='table') -%}
            {%- set published = api.Relation.create(
                database=node.database, schema=node.schema[:-(suffix | length)],
                identifier=node.alias, type='table') -%}
            {%- do triples.append((audit, published, node)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(triples) }}
{%- endmacro %}
