"""Greenery analytics: the sample warehouse, the dbt project's runner and the greenery CLI."""
