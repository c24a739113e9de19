"""DuckDB schema, connections, loading and snapshot publishing (no Dagster import)."""
