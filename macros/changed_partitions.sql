{#-
    changed_partitions(rows, partition_column, trailing_days, this_column): a query of the days
    or weeks an incremental funnel recomputes on a night, each whole: those of the rows of
    `rows` (an import CTE of an incremental model) written since this model last ran
    (changed_since_last_build), and those within `trailing_days` of the newest partition this
    model holds (in_trailing_partitions, unless `trailing_days` is none; `this_column` names it
    here when it is named otherwise in `rows`). Only inside `{% if is_incremental() %}`; a funnel is then delete+insert by
    partition, so a group that left a partition (a product no longer viewed that week) leaves
    the table too.
-#}
{% macro changed_partitions(rows, partition_column, trailing_days, this_column=none) -%}
    select changed.{{ partition_column }}
    from {{ rows }} as changed
    where
        {{ changed_since_last_build('changed.dbt_loaded_at') }}
        {%- if trailing_days is not none %}
        or {{ in_trailing_partitions('changed.' ~ partition_column, trailing_days, this_column or partition_column) }}
        {%- endif %}
{%- endmacro %}
