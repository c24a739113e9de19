"""Data-quality rules (pure) and the Dagster asset checks that run them."""
