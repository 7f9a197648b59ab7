{#-
    simulated_snapshot_time(default_sql): the time a snapshot records, as SQL. The simulated
    clock when one is set (the var `snapshot_at`, else $GREENERY_SNAPSHOT_AT), cast to dbt's
    timestamp type; otherwise `default_sql`, the adapter's own clock expression. The adapters'
    snapshot_get_time implementations (snapshot_get_time.sql) call it.
-#}
{% macro simulated_snapshot_time(default_sql) -%}
    {%- set at = var('snapshot_at', none) or env_var('GREENERY_SNAPSHOT_AT', '') -%}
    {%- if at -%}
        cast('{{ at }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ default_sql }}
    {%- endif -%}
{%- endmacro %}
