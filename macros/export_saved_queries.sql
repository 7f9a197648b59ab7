{#-
    export_saved_queries(exports, reads): on a remote warehouse (Snowflake), create or replace
    each export's table (database, schema, identifier) from its SQL, which the job rendered with
    MetricFlow (warehouse/exports.py). When a relation the semantic layer reads (`reads`,
    database.schema.identifier) is not built yet, nothing is exported and the exports' audit
    tables are dropped, so write-audit-publish carries no stale export. An embedded warehouse is
    written by the job directly.
-#}
{% macro export_saved_queries(exports, reads) -%}
    {%- set missing = [] -%}
    {%- for name in reads -%}
        {%- set parts = name.split('.') -%}
        {%- if adapter.get_relation(database=parts[0], schema=parts[1], identifier=parts[2]) is none -%}
            {%- do missing.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for export in exports -%}
        {%- set relation = api.Relation.create(
            database=export.database, schema=export.schema, identifier=export.identifier,
            type='table') -%}
        {%- if missing -%}
            {%- do adapter.drop_relation(relation) -%}
        {%- else -%}
            {%- do adapter.create_schema(relation) -%}
            {%- do run_query('create or replace table ' ~ relation ~ ' as (' ~ export.sql ~ ')') -%}
            {{ log("exported " ~ relation, info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ log("saved queries not exported: " ~ missing | join(', ') ~ " not built", info=true) }}
    {%- endif -%}
{%- endmacro %}
