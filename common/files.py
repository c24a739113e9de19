"""Files officials open (workbooks, Word reports) written whole or not at all."""

from __future__ import annotations

import glob
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path


def locked_file_message(path: Path, application: str) -> str:
    """What an operator reads when ``path`` cannot be replaced: on Windows and file shares, the file open in
    Excel or Word locks it."""
    return (
        f"Không ghi được {path}; tệp có đang mở trong {application} không? Đóng tệp (hoặc cấp quyền ghi cho thư mục) "
        "rồi chạy lại lần chạy (giao diện Dagster: Re-execute → From failure)."
    )


def write_atomically(path: Path, write: Callable[[Path], object], *, application: str) -> Path:
    """Call ``write`` on a temporary file in the same folder, then rename it over ``path``.

    A full disk, a kill or an error while writing leaves the previous file as it was (readers never open half a
    file); the rename is atomic because both names are on the same file system. A ``PermissionError`` (the file
    open in ``application``, the folder read-only) says so in Vietnamese.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise PermissionError(locked_file_message(path, application)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# Writing one file takes seconds: a temporary of it older than this was left by a killed process (SIGKILL, power cut).
STALE_TEMPORARY_SECONDS = 3600


def _remove_stale_temporaries(path: Path) -> None:
    """Remove the temporaries of ``path`` that a killed writer left beside it (a process still writing one now has
    touched it within the hour). By age, not by process id: a pid is reused, and probing one is not portable."""
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    for left in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if left.stat().st_mtime < cutoff:
                left.unlink()
        except FileNotFoundError:  # removed meanwhile by another run
            pass
