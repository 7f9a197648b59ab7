{#-
    The shared event-sum macro, used by both funnel grains (session and session x product).

    event_types(events_model) discovers the event types present in the data at compile time; the
    declared list (var `event_types`) comes first so the columns the marts rely on always exist,
    and it is all there is when no warehouse can be asked (parsing, or compiling before the
    staging model is built). A model calls it directly so unit tests can override it.

    sum_events(event_types, kind) emits one column per event type for the current grouping:
      kind='count': n_<type>   = number of events of that type
      kind='flag':  has_<type> = whether any event of that type happened
-#}

{% macro event_types(events_model) -%}
    {%- set declared = var('event_types') -%}
    {%- if not execute -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- set relation = load_relation(ref(events_model)) -%}
    {%- if relation is none -%}
        {{ return(declared) }}
    {%- endif -%}
    {%- set query -%}
        select distinct event_type from {{ relation }} where event_type is not null order by 1
    {%- endset -%}
    {%- set found = run_query(query).columns[0].values() -%}
    {%- set discovered = declared | list -%}
    {%- for event_type in found if event_type not in discovered -%}
        {%- do discovered.append(event_type) -%}
    {%- endfor -%}
    {{ return(discovered) }}
{%- endmacro %}

{#-
    The column suffix of an event type: the type itself when it is already a plain lower-case
    name (page_view); anything else (capitals, quotes, spaces, punctuation) is reduced to
    [a-z0-9_] and gets `__` and a hash of the exact value, so the name is a safe identifier on
    every adapter and two types never share a column (`Page-View` is not `page_view`). A plain
    name never contains `__`, so a hashed one cannot collide with it.
-#}
{% macro event_column(event_type) -%}
    {%- set value = event_type | string -%}
    {%- if modules.re.fullmatch('[a-z][a-z0-9]*(_[a-z0-9]+)*', value) and value | length <= 60 -%}
        {{ return(value) }}
    {%- endif -%}
    {%- set readable = modules.re.sub('[^a-z0-9]+', '_', value | lower).strip('_')[:40] -%}
    {{ return(readable ~ '__' ~ local_md5(value)[:10]) }}
{%- endmacro %}

{#-
    A value as an SQL string literal, quoted by the adapter's own rule (dbt's dispatched
    escape_single_quotes): 'it''s' by default, 'it\'s' on Snowflake. In a Snowflake string a
    backslash is an escape character too, so the value's own backslashes are doubled first:
    otherwise `a\` would swallow the closing quote.
-#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'greenery')(value | string)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    {{ return("'" ~ dbt.escape_single_quotes(value) ~ "'") }}
{%- endmacro %}

{% macro snowflake__string_literal(value) -%}
    {{ return("'" ~ dbt.escape_single_quotes(value | replace('\\', '\\\\')) ~ "'") }}
{%- endmacro %}

{% macro sum_events(event_types, kind='count', event_type_column='event_type') -%}
    {%- if kind not in ('count', 'flag') -%}
        {{ exceptions.raise_compiler_error("sum_events: kind must be 'count' or 'flag', got " ~ kind) }}
    {%- endif -%}
    {%- for event_type in event_types %}
        {%- set is_type = event_type_column ~ " = " ~ string_literal(event_type) %}
        {%- if kind == 'count' %}
        sum(case when {{ is_type }} then 1 else 0 end) as n_{{ event_column(event_type) }}
        {%- else %}
        max(case when {{ is_type }} then 1 else 0 end) = 1 as has_{{ event_column(event_type) }}
        {%- endif %}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
