"""Shared, Dagster-free helpers: settings, Vietnamese text, master data of units, calendars."""
