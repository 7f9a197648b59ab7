{#-
    changed_since_last_build(loaded_at_column): true for the rows of an input that the input
    wrote after this model last ran: its `dbt_loaded_at` later than the newest `dbt_loaded_at`
    of this model's own rows (utc_now, newer_than_built). Every incremental model stamps its
    rows so, and runs after its inputs, so this is exactly what the inputs recomputed since:
    after a failed or skipped night too, since this model's own newest stamp is then older
    still. Only inside `{% if is_incremental() %}`.
-#}
{% macro changed_since_last_build(loaded_at_column) -%}
    {{ newer_than_built(loaded_at_column, 'dbt_loaded_at') }}
{%- endmacro %}
