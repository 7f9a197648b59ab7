{#-
    night_window(relation): on a night, the condition a row-by-row data test adds to read only
    what the night wrote of `relation`, the table it tests; none otherwise.

    The job sets the window for the night in two environment variables, read when a test runs
    (never at parse time, so a new night does not make dbt parse the project again):
      GREENERY_TESTS_LOADED_SINCE  the night's start (UTC): an incremental model's rows whose
                                   `dbt_loaded_at` is later were written by the night;
      GREENERY_TESTS_DATA_SINCE    the data clock of the last published run, less the late-data
                                   window: a source's or view's rows whose event time (its
                                   `meta: {test_window: <column>}`) is later arrived since.
    Only the row-by-row tests are windowed (WINDOWED_TESTS): a test comparing whole tables
    (row counts) reads them whole. A `unique` test on a source reads every row sharing a key
    with the window, so a new row repeating an old key fails. A row without an event time is
    in the window: its not_null test must see it.
-#}
{% macro night_window(relation) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set test = (model.get('test_metadata') or {}).get('name') -%}
    {%- if test not in ['not_null', 'unique', 'accepted_values', 'relationships', 'accepted_range',
        'expression_is_true', 'expect_column_values_to_match_regex',
        'expect_column_values_to_be_between', 'unique_combination_of_columns',
        'rates_are_shares'] -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set tested = tested_node(relation) -%}
    {%- if tested is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if tested.resource_type == 'model' and tested.config.materialized == 'incremental' -%}
        {%- set since = window_start('GREENERY_TESTS_LOADED_SINCE') -%}
        {{ return(none if since is none else "dbt_loaded_at >= " ~ since) }}
    {%- endif -%}
    {%- set column = (tested.meta or {}).get('test_window') -%}
    {%- set since = window_start('GREENERY_TESTS_DATA_SINCE') -%}
    {%- if column is none or since is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set arrived = '(' ~ column ~ ' >= ' ~ since ~ ' or ' ~ column ~ ' is null)' -%}
    {%- if test == 'unique' -%}
        {%- set key = model.get('column_name') -%}
        {{ return(key ~ ' in (select ' ~ key ~ ' from ' ~ relation ~ ' where ' ~ arrived ~ ')') }}
    {%- endif -%}
    {{ return(arrived) }}
{%- endmacro %}
