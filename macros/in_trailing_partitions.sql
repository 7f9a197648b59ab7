{#-
    in_trailing_partitions(partition_column, days, this_column): true for the rows whose day or
    week (`partition_column`) is no more than `days` days before the newest one this model
    holds (its `this_column`, by default the same name). The incremental funnels recompute
    those partitions whatever changed: a late event can start a session earlier, and so move
    it to an earlier day or week, but only inside the late-data window (var
    event_lookback_hours, late_data_days), which these partitions cover. Only inside
    `{% if is_incremental() %}`.
-#}
{% macro in_trailing_partitions(partition_column, days, this_column=none) -%}
    {%- set newest = 'max(built.' ~ (this_column or partition_column) ~ ')' -%}
    {{ partition_column }} >= (
        select {{ dbt.dateadd('day', -1 * days, newest) }} from {{ this }} as built
    )
{%- endmacro %}
