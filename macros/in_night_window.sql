{#-
    in_night_window(column): for a singular data test, the condition that keeps what a night of
    `greenery run-job` wrote (night_window does it for generic tests): with `dbt_loaded_at`, an
    incremental model's rows stamped since the night began; with an event time, the rows
    since the night's data window starts (or without one). `true` when there is no window:
    `greenery build`, CI, plain dbt and full-test nights read every row.
-#}
{% macro in_night_window(column) -%}
    {%- set env = 'GREENERY_TESTS_LOADED_SINCE' if column.split('.')[-1] == 'dbt_loaded_at' else 'GREENERY_TESTS_DATA_SINCE' -%}
    {%- set since = window_start(env) if execute else none -%}
    {%- if since is none -%}
        true
    {%- elif env == 'GREENERY_TESTS_LOADED_SINCE' -%}
        {{ column }} >= {{ since }}
    {%- else -%}
        ({{ column }} >= {{ since }} or {{ column }} is null)
    {%- endif -%}
{%- endmacro %}
