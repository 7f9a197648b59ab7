{#-
    reset_snapshot_history(): drop every snapshot table of the project, so a weekly history
    replay (`greenery replay`) from week 1 writes their history afresh. A dbt operation, the same
    on every adapter.
-#}
{% macro reset_snapshot_history() %}
    {%- for node in graph.nodes.values() if node.resource_type == 'snapshot' -%}
        {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias, type='table') -%}
        {%- do adapter.drop_relation(relation) -%}
        {{ log("dropped " ~ relation, info=true) }}
    {%- endfor -%}
{% endmacro %}
