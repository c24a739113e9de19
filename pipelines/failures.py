"""What a failed step or run says, in its own words: shared by `make run`'s summary and the failure alerts.

Dagster wraps every error in its own ("Error occurred while executing op …", "Error executing resource_fn …"); the
project's error inside says what to do in Vietnamese, and may itself be raised from a lower one (a PermissionError
from the OS, DuckDB's lock error): the text keeps all of them, the project's first, the wrappers left out."""

from __future__ import annotations

from typing import Any

# Dagster's own wrapper errors (DagsterExecutionStepExecutionError, DagsterResourceFunctionError, …).
_WRAPPER_PREFIX = "Dagster"


def error_chain(error: Any) -> list[Any]:
    """The error and its causes (``SerializableErrorInfo``), outermost first; the context where there is no cause."""
    chain = []
    while error is not None and len(chain) < 10:
        chain.append(error)
        error = error.cause if error.cause is not None else getattr(error, "context", None)
    return chain


def error_text(error: Any) -> str:
    """Each error of the chain without Dagster's wrappers (all of them if nothing else), on one line, joined by ' ← '
    (the project's message first, then what caused it)."""
    chain = error_chain(error)
    own = [e for e in chain if not str(e.cls_name or "").startswith(_WRAPPER_PREFIX)] or chain
    return " ← ".join(" ".join((e.message or "").split()) for e in own)


def event_error_text(event: Any) -> str:
    """What a STEP_FAILURE or RUN_FAILURE event (``DagsterEvent``) says: its error chain, else its message."""
    error = getattr(event.event_specific_data, "error", None)
    return error_text(error) or " ".join((event.message or "").split())


def failure_reasons(instance: Any, run_id: str) -> list[tuple[str | None, str]]:
    """(step, what it said) for each failed step of the run, read from its event log on ``instance``; for a run that
    failed before any step (a resource that would not start: a refused PII secret), (None, the run's own error)."""
    import dagster as dg

    steps = [
        (event.step_key, event_error_text(event))
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
        if (event := entry.dagster_event) is not None
    ]
    if steps:
        return steps
    runs = [entry.dagster_event for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)]
    return [(None, event_error_text(event)) for event in runs[-1:] if event is not None]
