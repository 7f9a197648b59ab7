{#-
    Drop every schema of the target's database whose name starts with `prefix`: how a CI run
    removes its own per-run schemas (ci_<run id>, ci_<run id>_marts, ...) when it ends.
    Refuses any prefix that is not a CI run's, so it can never touch production schemas.
-#}
{% macro drop_schemas_with_prefix(prefix) %}
    {%- if not prefix.lower().startswith('ci_') or prefix | length < 8 -%}
        {{ exceptions.raise_compiler_error("drop_schemas_with_prefix only drops ci_<run id> schemas, got " ~ prefix) }}
    {%- endif -%}
    {%- set dropped = [] -%}
    {%- set listed = list_schemas(target.database) -%}
    {%- set name_column = 'name' if 'name' in listed.column_names else listed.column_names[0] -%}
    {%- for schema in listed.columns[name_column].values() -%}
        {%- if schema.lower().startswith(prefix.lower()) -%}
            {%- do adapter.drop_schema(api.Relation.create(database=target.database, schema=schema)) -%}
            {%- do dropped.append(schema) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log("dropped schemas: " ~ (dropped | join(", ") or "none"), info=true) }}
{% endmacro %}
