"""Compatibility re-export: the resource lives in assets/resources.py, which assets import without reaching up into
pipelines/. Kept for scripts outside the project's packages (bench/) that still import it from here."""

from assets.resources import WRITER_POOL, Warehouse

__all__ = ["WRITER_POOL", "Warehouse"]
