{#-
    clone_table(source, target, transient): make `target` a copy of the table `source`, replacing
    it. Write-audit-publish (wap_stage, wap_publish) uses it to carry tables between the
    published schemas and their audit twins.
      snowflake: a zero-copy clone (no data is copied), keeping the target's grants;
      default:   create table as select (DuckDB).
-#}
{% macro clone_table(source, target, transient=false) -%}
    {{ return(adapter.dispatch('clone_table', 'greenery')(source, target, transient)) }}
{%- endmacro %}

{% macro default__clone_table(source, target, transient=false) -%}
    create or replace table {{ target }} as select * from {{ source }}
{%- endmacro %}

{% macro snowflake__clone_table(source, target, transient=false) -%}
    create or replace {{ 'transient ' if transient }}table {{ target }} clone {{ source }} copy grants
{%- endmacro %}
