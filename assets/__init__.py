"""Dagster assets, grouped by domain: thin wrappers around the pure readers in sources/ and loaders in warehouse/."""
