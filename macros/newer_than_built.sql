{#-
    newer_than_built(column, built_column): true for the input rows whose `column` is later than
    the newest `built_column` of this model's own rows, or every row when this model has none
    (epoch). How an incremental model finds what changed since it last ran: by the input's
    `dbt_loaded_at` (changed_since_last_build), or by a snapshot's validity start against the
    newest one this model holds. A table built before it had `built_column` takes every row:
    the run rebuilds it whole, and adds the column. Only inside `{% if is_incremental() %}`.
-#}
{% macro newer_than_built(column, built_column) -%}
    {%- set built = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if built_column | lower in built -%}
    {{ column }} > (select coalesce(max(built.{{ built_column }}), {{ epoch() }}) from {{ this }} as built)
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}
