"""Which registers make a plan year's plan, in which order, and from which day each applies. Pure: no DuckDB, no
Dagster (warehouse/tasks.py reads the registers and writes ``plan_revision``; every reader of revisions goes by it).

- Registers of one year chain by their revision number: a register of revision 2 or more continues the plan of the
  year (the first issue, revision 1, issued last), whatever document number it carries itself (an amending document
  has its own: "245/KH-SKHCN" amending "123/KH-SKHCN"), unless its number is that of another first issue. Only two
  first issues with different numbers compete (``conflicting_plans``). Numbers differing only in case, spacing or
  diacritics are one number (``document_number_key``).
- Two registers of one revision (a corrected copy under another name): the later arrival wins as a whole (its first
  load, then its modification time, then its name, as progress reports are ranked), the other gets a note
  (``duplicate_revision``); never a mix of the two.
- The revision number orders the chain; the issue date is only the day a revision applies from. A first issue
  without date applies from the year's start; a later revision without a readable date from the day its file
  arrived (``revision_without_date``), and none applies before the one it amends (``revision_date_order``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from common.vntext import document_number_key


@dataclass(frozen=True)
class Register:
    """One loaded register (a trial one never is one here)."""

    plan_year: int
    number: str  # as the register writes it
    revision: int
    issued_on: date | None
    source_file: str
    arrived: datetime  # the first load of its content (landed_files.first_loaded_at)
    modified: datetime = datetime.min  # its file's modification time; min when not known (a file gone)

    @property
    def rank(self) -> tuple[datetime, datetime, str]:
        """Of two copies of one revision the greater wins: later arrival, then later save, then the name."""
        return (self.arrived, self.modified, self.source_file)


@dataclass(frozen=True)
class Link:
    """A register of the chain of a year's plan, with the day it applies from."""

    register: Register
    plan_number: str  # the plan's number (its first issue's), which the register continues
    in_force_from: date


Note = tuple[str, str, str]  # (file, rule, reason in Vietnamese)


def _day(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def _why_later(winner: Register, loser: Register) -> str:
    if winner.arrived != loser.arrived:
        return f"nhận lúc {winner.arrived:%d/%m/%Y %H:%M}, sau tệp này ({loser.arrived:%d/%m/%Y %H:%M})"
    if winner.modified != loser.modified and loser.modified != datetime.min:
        return f"cùng lúc nhận, lưu lúc {winner.modified:%d/%m/%Y %H:%M:%S}, sau tệp này ({loser.modified:%d/%m/%Y %H:%M:%S})"
    return "cùng thời điểm nhận và lưu: lấy theo tên tệp"


def _first_issue(registers: Sequence[Register]) -> Register:
    """The first issue of a year's plan: the one issued last (an undated one as the earliest), then the later arrival."""
    return max(registers, key=lambda r: (r.issued_on or date.min, r.rank))


def chain_year(plan_year: int, registers: Sequence[Register]) -> tuple[list[Link], list[Note]]:
    """The chain of the plan of ``plan_year`` (by revision) from its loaded registers, and the notes to record."""
    notes: list[Note] = []
    if not registers:
        return [], notes
    firsts = [r for r in registers if r.revision == 1]
    head = _first_issue(firsts) if firsts else min(registers, key=lambda r: (r.revision, r.rank))
    key = document_number_key(head.number)
    # of two copies of the plan's first issue, the number as the one used writes it
    head = max(
        (r for r in registers if r.revision == head.revision and document_number_key(r.number) == key), key=lambda r: r.rank
    )
    others = {document_number_key(r.number): r.number for r in firsts if document_number_key(r.number) != key}
    if others:
        numbers = sorted([head.number, *others.values()])
        notes.append(
            (
                head.source_file,
                "conflicting_plans",
                (
                    f"Năm {plan_year} có nhiều kế hoạch ban hành lần đầu ({', '.join(numbers)}); dùng {head.number} (ban hành "
                    f"sau cùng), bỏ qua {', '.join(sorted(others.values()))} và các lần sửa đổi mang số đó."
                ),
            )
        )
    # A revision continues the plan unless it carries the number of a first issue that lost.
    members = [
        r
        for r in registers
        if document_number_key(r.number) == key or (r.revision > 1 and document_number_key(r.number) not in others)
    ]
    by_revision: dict[int, list[Register]] = defaultdict(list)
    for r in members:
        by_revision[r.revision].append(r)
    chain: list[Link] = []
    for revision in sorted(by_revision):
        copies = by_revision[revision]
        winner = max(copies, key=lambda r: r.rank)
        for loser in sorted((c for c in copies if c is not winner), key=lambda c: c.source_file):
            notes.append(
                (
                    loser.source_file,
                    "duplicate_revision",
                    (
                        f"Tệp này và tệp '{winner.source_file}' cùng là lần ban hành/sửa đổi {revision} của kế hoạch "
                        f"{head.number} năm {plan_year}; dùng trọn tệp '{winner.source_file}' ({_why_later(winner, loser)}), "
                        "không dùng tệp này. Nếu tệp này mới là bản đúng, đề nghị gửi lại bản đúng và chuyển bản kia khỏi "
                        "thư mục ke_hoach/."
                    ),
                )
            )
        previous = chain[-1] if chain else None
        missing = _missing_revisions(revision, previous)
        if missing:
            notes.append((winner.source_file, "revision_gap", _gap_text(plan_year, head.number, revision, missing, previous)))
        chain.append(Link(winner, head.number, _in_force_from(plan_year, winner, previous, notes)))
    return chain, notes


def _missing_revisions(revision: int, previous: Link | None) -> list[int]:
    """The revisions between the previous link of the chain (none: the first issue) and ``revision`` not loaded."""
    before = previous.register.revision if previous is not None else 0
    return list(range(before + 1, revision))


def _gap_text(plan_year: int, number: str, revision: int, missing: list[int], previous: Link | None) -> str:
    """The note on a register whose chain lacks the revisions before it (a lost or never-sent file): it applies on
    top of the last one received, so tasks a missing revision changed keep their earlier form until it arrives."""
    shown = ", ".join(str(m) for m in missing)
    on_top = (
        f"áp dụng tiếp sau lần {previous.register.revision} đã nhận"
        if previous is not None
        else "áp dụng như lần ban hành đầu tiên"
    )
    return (
        f"Chưa nhận lần ban hành/sửa đổi {shown} của kế hoạch {number} năm {plan_year}: lần {revision} (tệp này) được "
        f"{on_top}; những thay đổi nhiệm vụ của lần {shown} (nếu có) chưa được tính. Đề nghị gửi tệp của lần {shown} "
        "vào thư mục ke_hoach/, hoặc kiểm tra số 'Lần ban hành/sửa đổi' của tệp này."
    )


def _in_force_from(plan_year: int, r: Register, previous: Link | None, notes: list[Note]) -> date:
    """The day a register applies from: its issue date; the year's start for an undated first issue; the day its
    file arrived for an undated later revision (never the year's start: it would hide the plan it amends); never
    before the register it amends."""
    if r.issued_on is not None:
        start = r.issued_on
    elif r.revision > 1:
        start = r.arrived.date()
        notes.append(
            (
                r.source_file,
                "revision_without_date",
                (
                    f"Lần sửa đổi {r.revision} không ghi 'Ngày ban hành' (hoặc ghi không đọc được): áp dụng từ ngày nhận tệp "
                    f"{_day(start)}, không phải từ đầu năm; trước ngày đó dùng lần ban hành/sửa đổi trước. Đề nghị ghi ngày "
                    "ban hành của văn bản sửa đổi (dd/mm/yyyy) rồi gửi lại tệp."
                ),
            )
        )
    else:
        start = date(plan_year, 1, 1)
    if previous is None or start >= previous.in_force_from:
        return start
    earlier = previous.register
    if r.issued_on is not None and (earlier.issued_on is None or r.issued_on < earlier.issued_on):
        notes.append(
            (
                r.source_file,
                "revision_date_order",
                (
                    f"Lần ban hành/sửa đổi {r.revision} ghi ngày ban hành {_day(r.issued_on)}, trước lần "
                    f"{earlier.revision} mà nó sửa đổi (áp dụng từ {_day(previous.in_force_from)}): áp dụng từ "
                    f"{_day(previous.in_force_from)}. Đề nghị kiểm tra 'Ngày ban hành' (năm ghi nhầm?) rồi gửi lại tệp."
                ),
            )
        )
    return previous.in_force_from


def chain_registers(registers: Sequence[Register]) -> tuple[dict[int, list[Link]], list[Note]]:
    """Per plan year, its chain (``chain_year``); and every note."""
    by_year: dict[int, list[Register]] = defaultdict(list)
    for r in registers:
        by_year[r.plan_year].append(r)
    chains, notes = {}, []
    for year in sorted(by_year):
        chains[year], year_notes = chain_year(year, by_year[year])
        notes += year_notes
    return chains, notes
