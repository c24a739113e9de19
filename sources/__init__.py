"""Pure readers of each input format. No Dagster import here."""
