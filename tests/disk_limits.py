"""Real write failures in the test process: a file-size limit that fails a write midway as a full disk does, and an
immutable file that cannot be replaced as a file open in Word or Excel on a Windows share cannot."""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def disk_full_after(limit_bytes: int) -> Iterator[None]:
    """Writes past ``limit_bytes`` of a file fail with OSError (EFBIG) for the duration, as on a full disk: the
    bytes before the limit are written, so a file written in place is left cut short."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """``path`` cannot be replaced nor removed (chattr +i; needs root on ext4/xfs/btrfs, else the test is skipped)."""
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here (root on a file system with attributes is needed)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
