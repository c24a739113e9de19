"""Files officials open are written whole or not at all (common/files.py): a failed write keeps the previous file and
leaves no temporary; temporaries a killed writer left are removed by the next write of the same file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from common.files import STALE_TEMPORARY_SECONDS, write_atomically


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "bao_cao.xlsx"
    write_atomically(target, lambda tmp: tmp.write_bytes(b"v1"), application="Excel")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomically(target, broken, application="Excel")
    assert target.read_bytes() == b"v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bao_cao.xlsx"]


def test_temporaries_left_by_a_killed_writer_are_removed_by_the_next_write(tmp_path):
    target = tmp_path / "bao_cao.xlsx"
    old = tmp_path / ".bao_cao.xlsx.4242.deadbeef.tmp"  # a SIGKILL between writing and renaming
    recent = tmp_path / ".bao_cao.xlsx.4343.cafebabe.tmp"  # another process writing it right now
    other = tmp_path / ".khac.xlsx.4242.deadbeef.tmp"  # another file's: not this write's business
    for left in (old, recent, other):
        left.write_bytes(b"half")
    hours_ago = time.time() - STALE_TEMPORARY_SECONDS - 60
    os.utime(old, (hours_ago, hours_ago))
    os.utime(other, (hours_ago, hours_ago))
    write_atomically(target, lambda tmp: tmp.write_bytes(b"v2"), application="Excel")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, recent.name, other.name])
    assert target.read_bytes() == b"v2"


def test_a_locked_file_says_in_vietnamese_to_close_it(tmp_path):
    def locked(tmp: Path) -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(PermissionError, match="có đang mở trong Word không"):
        write_atomically(tmp_path / "bao_cao.docx", locked, application="Word")
