{#-
    rates_are_shares: every rate, drop-off and share column of the model (a name ending in one of
    `suffixes`) is between 0 and 1, or null (a rate whose denominator is zero). One test per
    model instead of one per column: the funnel marts have up to sixteen such columns. Returns
    the rows where any of them is out of range.
-#}
{% test rates_are_shares(model, suffixes=['_rate', '_dropoff', '_share']) %}
    {%- set names = [] -%}
    {%- if execute -%}
        {#- the columns of what the test reads: a relation, or on a night the rows it wrote -#}
        {%- for column in get_columns_in_query('select * from ' ~ model) -%}
            {%- for suffix in suffixes if (column | lower).endswith(suffix) -%}
                {%- do names.append(column | lower) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if names | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "rates_are_shares: " ~ model ~ " has no column ending in " ~ suffixes | join(', ')) }}
        {%- endif -%}
    {%- endif %}

    select *
    from {{ model }}
    where
    {%- for name in names %}
        {{ "or " if not loop.first }}{{ name }} < 0 or {{ name }} > 1
    {%- else %}
        1 = 0
    {%- endfor %}

{% endtest %}
