{#-
    event_types(events_model): the event types the event-sum macro makes columns for, in order.
    The funnel steps come first, in the order of the `funnel_steps` seed, so the columns the marts
    rely on always exist; then any other type found in the data, alphabetically. One query at
    compile time reads both. When no warehouse can be asked (parsing, or compiling before the seed
    and staging model are built) it is the declared list, var `event_types` (a test keeps it equal
    to the seed). A model calls it directly so unit tests can override it.
-#}
{% macro event_types(events_model) -%}
    {%- set declared = var('event_types') -%}
    {#- ref() at parse time too: it makes the seed a parent of every model that calls this -#}
    {%- set steps = ref('funnel_steps') -%}
    {%- if not execute -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- set steps_relation = load_relation(steps) -%}
    {%- set events_relation = load_relation(ref(events_model)) -%}
    {%- if steps_relation is none or events_relation is none -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- set query -%}
        with

        steps as (

            select event_type, step_order from {{ steps_relation }}

        ),

        found as (

            select distinct event_type from {{ events_relation }}
            where event_type is not null
                and event_type not in (select event_type from steps)

        ),

        event_types as (

            select event_type, step_order from steps
            union all
            select event_type, null as step_order from found

        )

        select event_type from event_types order by step_order nulls last, event_type
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}
