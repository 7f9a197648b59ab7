{#-
    event_types(): the event types the event-sum macro makes columns for, in order. They are the
    rows of `int_event_types_aggregated`: the funnel steps first, in the order of the
    `funnel_steps` seed, so the columns the marts rely on always exist; then any other type found
    in the data, alphabetically. That model scans the events once per run (it is a parent of
    every model that calls this, so a build rebuilds it first; a run that selects only the
    session models reads the types of the last build); reading it at compile time reads a
    handful of rows. When no warehouse can be asked (parsing, or compiling before the model is
    built) it is the declared list, var `event_types` (a test keeps it equal to the seed). A model
    calls it directly so unit tests can override it.
-#}
{% macro event_types() -%}
    {%- set declared = var('event_types') -%}
    {#- ref() at parse time too: it makes the model a parent of every model that calls this -#}
    {%- set found = ref('int_event_types_aggregated') -%}
    {%- if not execute -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- set relation = load_relation(found) -%}
    {%- if relation is none -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- set query -%}
        select event_type from {{ relation }} order by column_order
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}
