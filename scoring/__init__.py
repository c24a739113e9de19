"""Pure scoring: methodology files in, points out. No Dagster, no database."""
