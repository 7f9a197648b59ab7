{#-
    build_snapshot_history(): at the start of every dbt run (dbt_project.yml, on-run-start), give
    each snapshot the history that came with a sample of several weeks (`greenery load --weeks
    N`; warehouse/history.py writes it as greenery_meta.<source table>_history, one row per
    version with the week boundary it starts at). A snapshot is built from it when it does not
    exist yet, or when it was built for an earlier load, with exactly the rows dbt's check
    strategy records had it run at every boundary: the source's columns, then dbt_scd_id (dbt's
    own hash of the key and the time), dbt_updated_at and dbt_valid_from (the boundary),
    dbt_valid_to (the next version's) and dbt_is_deleted. Every later snapshot run continues
    from there. tests/dbt_project/test_snapshot_history.py runs dbt's snapshot at each boundary
    instead and compares, row for row.

    No history (a team's own export, a one-week sample): the snapshots continue, unless the load
    restarts their history (`greenery load --restart-history`, greenery_meta.load): then each is
    dropped once, and its next run starts it from the loaded rows. Snapshot history is never
    written backwards: the loader refuses data that ends before the warehouse's clock without it.
    No load recorded (Snowflake): nothing to do.
-#}
{% macro build_snapshot_history() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set load = adapter.get_relation(target.database, 'greenery_meta', 'load') -%}
    {%- if load is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set loaded = run_query('select load_id, restarts_history from ' ~ load).rows[0] -%}
    {%- set load_id, restarts = loaded[0], loaded[1] -%}
    {%- set built = api.Relation.create(database=target.database, schema='greenery_meta', identifier='history_built') -%}
    {%- do run_query("create table if not exists " ~ built ~ " (snapshot varchar, load_id varchar)") -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'snapshot' -%}
        {%- set source = graph.sources[node.depends_on.nodes[0]] -%}
        {%- set history = adapter.get_relation(target.database, 'greenery_meta', source.identifier ~ '_history') -%}
        {%- set snapshot = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- set done = run_query("select count(*) from " ~ built ~ " where snapshot = " ~ string_literal(node.unique_id) ~ " and load_id = " ~ string_literal(load_id)).columns[0].values()[0] -%}
        {%- if history is none and restarts and done | int == 0 -%}
            {%- if snapshot is not none -%}
                {%- do adapter.drop_relation(snapshot) -%}
                {{ log("greenery: " ~ snapshot ~ " starts its history over from this load", info=true) }}
            {%- endif -%}
            {%- do run_query("insert into " ~ built ~ " values (" ~ string_literal(node.unique_id) ~ ", " ~ string_literal(load_id) ~ ")") -%}
            {%- do adapter.commit() -%}
        {%- elif history is not none and (snapshot is none or done | int == 0) -%}
            {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias, type='table') -%}
            {%- set source_relation = api.Relation.create(database=source.database, schema=source.schema, identifier=source.identifier) -%}
            {%- set key = node.config.unique_key -%}
            {%- set columns = adapter.get_columns_in_relation(source_relation) -%}
            {%- do adapter.create_schema(relation) -%}
            {%- if snapshot is not none -%}
                {%- do adapter.drop_relation(snapshot) -%}
            {%- endif -%}
            {%- set build -%}
                create table {{ relation }} as
                select
                    {%- for column in columns %}
                    cast({{ column.name }} as {{ column.data_type }}) as {{ column.name }},
                    {%- endfor %}
                    {{ snapshot_hash_arguments([key, 'valid_at']) }} as dbt_scd_id,
                    valid_at as dbt_updated_at,
                    valid_at as dbt_valid_from,
                    lead(valid_at) over (partition by {{ key }} order by valid_at) as dbt_valid_to,
                    'False' as dbt_is_deleted
                from {{ history }}
            {%- endset -%}
            {%- do run_query(build) -%}
            {#- the snapshot that runs next looks the table up in dbt's relation cache -#}
            {%- do adapter.cache_added(relation) -%}
            {%- do run_query("delete from " ~ built ~ " where snapshot = " ~ string_literal(node.unique_id)) -%}
            {%- do run_query("insert into " ~ built ~ " values (" ~ string_literal(node.unique_id) ~ ", " ~ string_literal(load_id) ~ ")") -%}
            {%- do adapter.commit() -%}
            {{ log("greenery: " ~ relation ~ " starts with the sample's history (" ~ history ~ ")", info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
