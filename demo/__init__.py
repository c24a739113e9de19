"""Deterministic, seeded demo inbox for the TTHC pipeline (no Dagster here).

``generate_inbox(inbox, ...)`` in ``demo.generate`` writes the procedure catalogue, one dossier export per
day and the national portal's QĐ 766 snapshots; ``python -m demo.generate --inbox PATH`` does the same.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEMO_END", "generate_inbox"]


def __getattr__(name: str) -> Any:
    # Imported lazily so that ``python -m demo.generate`` does not import the module twice.
    if name in __all__:
        from demo import generate

        return getattr(generate, name)
    raise AttributeError(name)
