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
