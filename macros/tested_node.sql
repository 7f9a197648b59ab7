{#-
    tested_node(relation): the model or source a generic data test reads as `relation`, from
    the test's own dependencies in the graph; none when it is not among them.
-#}
{% macro tested_node(relation) -%}
    {%- for unique_id in model.depends_on.nodes -%}
        {%- set node = graph.nodes.get(unique_id) or graph.sources.get(unique_id) -%}
        {%- if node -%}
            {%- set name = node.get('alias') or node.get('identifier') or node.name -%}
            {%- if name | lower == relation.identifier | lower and node.schema | lower == relation.schema | lower -%}
                {{ return(node) }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}
