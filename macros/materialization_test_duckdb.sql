{#-
    The data test materialization on DuckDB: the failing rows of a test are stored only when
    there are some.

    dbt's own test materialization, with store_failures on, drops and recreates the test's table
    in the audit schema for every test, passing or not, and then counts its rows: three
    statements and a relation drop per test, most of a test's cost when the data is small
    (benchmarks/bench_build.py measures the test phase with and without stored rows). Here a
    test first counts its failures; only a test that fails or warns writes its rows, to the same
    table dbt would (`<audit schema>.<test name>`), so a failing build keeps every failing row
    exactly as before. A passing test removes the table an earlier failure left, so a table in
    the audit schema always means "this test failed in the last run that ran it".

    Failures, warn_if, error_if, limit and store_failures_as behave as dbt documents them.
-#}
{%- materialization test, adapter='duckdb' -%}

    {%- set limit = config.get('limit') -%}
    {%- set fail_calc = config.get('fail_calc') -%}
    {%- set warn_if = config.get('warn_if') -%}
    {%- set error_if = config.get('error_if') -%}
    {%- set failing_rows = get_limit_subquery_sql(sql, limit) -%}

    {% call statement('main', fetch_result=True) -%}
        {{ get_test_sql(failing_rows, fail_calc, warn_if, error_if, limit=none) }}
    {%- endcall %}

    {%- set relations = [] -%}
    {%- if should_store_failures() -%}
        {%- set outcome = load_result('main').table.rows[0] -%}
        {%- set stored_as = config.get('store_failures_as') or 'table' -%}
        {%- if stored_as not in ['table', 'view'] -%}
            {{ exceptions.raise_compiler_error(
                "store_failures_as must be 'table' or 'view', got '" ~ stored_as ~ "'") }}
        {%- endif -%}
        {%- set existing = adapter.get_relation(
            database=database, schema=schema, identifier=model['alias']) -%}
        {%- if existing is not none -%}
            {%- do adapter.drop_relation(existing) -%}
            {%- do adapter.commit() -%}
        {%- endif -%}
        {%- if outcome['should_warn'] or outcome['should_error'] -%}
            {%- set stored = api.Relation.create(
                identifier=model['alias'], schema=schema, database=database, type=stored_as) -%}
            {%- do adapter.create_schema(stored) -%}
            {% call statement('store_failures', auto_begin=True) -%}
                {{ get_create_sql(stored, failing_rows) }}
            {%- endcall %}
            {%- do adapter.commit() -%}
            {%- do relations.append(stored) -%}
        {%- endif -%}
    {%- endif -%}

    {{ return({'relations': relations}) }}

{%- endmaterialization -%}
