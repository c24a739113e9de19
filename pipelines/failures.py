"""What a failed step or run says, in its own words: shared by `make run`'s summary and the failure alerts.

Dagster wraps every error in its own ("Error occurred while executing op …", "Error executing resource_fn …"); the
project's error inside says what to do in Vietnamese, and may itself be raised from a lower one (a PermissionError
from the OS, DuckDB's lock error): the text keeps all of them, the project's first, the wrappers left out."""

from __future__ import annotations

import re
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


# What to do about the system's own errors, which reach the operator in English ("[Errno 28] No space left on
# device"): matched on the errno the message carries.
_OS_ADVICE = {
    "28": "Ổ đĩa đầy: giải phóng chỗ (xóa bớt bản chụp cũ trong snapshots/ hoặc đặt CCHC_SNAPSHOT_KEEP nhỏ hơn, xóa nhật "
    "ký cũ trong CCHC_LOG_DIR, bản sao lưu cũ) rồi chạy lại",
    "30": "Ổ đĩa hoặc thư mục đang ở chế độ chỉ đọc: gắn lại ổ với quyền ghi (hoặc đổi thư mục đích trong biến môi "
    "trường tương ứng, xem README 'Where things are') rồi chạy lại",
    "13": "Tài khoản chạy dịch vụ không có quyền ghi vào tệp hoặc thư mục nêu trên: cấp quyền ghi (chown/chmod) rồi chạy lại",
}
_ERRNO = re.compile(r"\[Errno (\d+)\]")


def error_text(error: Any) -> str:
    """Each error of the chain without Dagster's wrappers (all of them if nothing else), on one line, joined by ' ← '
    (the project's message first, then what caused it); a system error of the step's own is followed by what to do
    (``_OS_ADVICE``)."""
    chain = error_chain(error)
    own = [e for e in chain if not str(e.cls_name or "").startswith(_WRAPPER_PREFIX)] or chain
    text = " ← ".join(" ".join((e.message or "").split()) for e in own)
    # Only where the system's error is the step's own (a project error raised from it says what to do itself)
    code = _ERRNO.search(own[0].message or "") if own else None
    advice = _OS_ADVICE.get(code.group(1)) if code else None
    return f"{text.rstrip('.')}. {advice}" if advice else text


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
