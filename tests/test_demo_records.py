"""The demo's PAKN exports and publication register: they follow their formats, the readers take every good row, and
the portal's QĐ 766 counts (1.1-1.3, 5.2, 5.3) equal what the warehouse can recompute from the loaded rows."""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest

from common.units import load_units, matcher_for
from common.workdays import add_working_days
from demo.catalogue import build_catalogue
from demo.generate import generate_inbox
from demo.publication import build_publication
from demo.simulate import Calendar
from sources.petition_format import PETITION_COLUMNS
from sources.petitions import read_petitions
from sources.procedure_publication import read_publication
from sources.tthc_catalogue import read_catalogue

# The demo generator's own tests write whole demo inboxes: the full tier (`make test-slow`, run by CI).
pytestmark = pytest.mark.slow

START, END, SCALE = date(2026, 1, 1), date(2026, 3, 10), 0.1
BOM = b"\xef\xbb\xbf"
PORTAL_NAME = re.compile(r"^([a-z-]+)_(\d{4})-(M\d{2}|Q[1-4]|Y)_(\d{8}T\d{4})\.json$")


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("records")
    return root, generate_inbox(root, start=START, end=END, scale=SCALE)


@pytest.fixture(scope="module")
def petitions(inbox: tuple[Path, dict]) -> dict[str, object]:
    root, _ = inbox
    results = {
        p.name: read_petitions(p, matcher_for("Thái Nguyên"), root / "work") for p in sorted((root / "pakn").glob("*.csv"))
    }
    return results


def _bounds(year: int, kind: str) -> tuple[date, date]:
    if kind == "Y":
        return date(year, 1, 1), date(year, 12, 31)
    first_month, last_month = (int(kind[1:]),) * 2 if kind[0] == "M" else (3 * int(kind[1:]) - 2, 3 * int(kind[1:]))
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def _snapshots(root: Path, endpoint: str) -> list[tuple[date, date, datetime, dict]]:
    """(first day, last day with data, capture time, JSON) of each snapshot of an endpoint."""
    out = []
    for path in sorted((root / "portal").glob(f"{endpoint}_*.json")):
        _, year, kind, captured = PORTAL_NAME.match(path.name).groups()
        first, last = _bounds(int(year), kind)
        out.append(
            (first, min(last, END), datetime.strptime(captured, "%Y%m%dT%H%M"), json.loads(path.read_text(encoding="utf-8")))
        )
    return out


def test_petition_files_follow_the_format_and_load(inbox, petitions):
    root, summary = inbox
    assert sorted(petitions) == ["pakn_202601.csv", "pakn_202602.csv", "pakn_202603.csv"]
    assert summary["petition_files"] == 3 and summary["petitions"] > 40
    for name in petitions:
        raw = (root / "pakn" / name).read_bytes()
        assert raw.startswith(BOM)
        assert raw[3:].decode("utf-8").splitlines()[0].split(",")[:3] == [c.header for c in PETITION_COLUMNS][:3]
    assert sum(len(r.rows) for r in petitions.values()) == summary["petitions"]
    bad = next(b for b in summary["bad_files"] if b["kind"] == "pakn_bad_rows")
    rejects = [(r["record_key"], r["rule"]) for res in petitions.values() for r in res.rejects]
    assert sorted(rejects) == sorted(
        zip(bad["dossier_codes"], ["unknown_unit", "completed_before_received", "bad_date:received_at"], strict=True)
    )
    assert all(res.file_issues == [] for res in petitions.values())
    rows = [r for res in petitions.values() for r in res.rows]
    assert {r["handling"] for r in rows} == {"answer", "refusal", "more_information"} or len(rows) < 60
    assert all(r["completed_at"] is None or r["completed_at"] >= r["received_at"] for r in rows)
    assert all(r["satisfaction"] is None for r in rows if r["completed_at"] is None)


def test_portal_petition_counts_equal_a_recomputation_from_the_loaded_rows(inbox, petitions):
    root, _ = inbox
    rows = [r for res in petitions.values() for r in res.rows]
    units = load_units("Thái Nguyên")
    index = {u.code: i for i, u in enumerate(units)}
    checked = 0
    for first, last, captured, snap in _snapshots(root, "handling-satisfaction"):
        handled = np.zeros(len(units) + 1, dtype=int)
        on_time = np.zeros_like(handled)
        bad = np.zeros_like(handled)
        for r in rows:
            if not (first <= r["received_at"].date() <= last and r["received_at"] <= captured):
                continue
            known = r["completed_at"] is not None and r["completed_at"] <= captured
            timely = r["completed_at"] <= r["due_at"] if known else captured <= r["due_at"]
            unhappy = not timely or (known and r["satisfaction"] == "dissatisfied") or bool(r["repeated"])
            for i in (index[r["unit_code"]], len(units)):
                handled[i] += 1
                on_time[i] += timely
                bad[i] += unhappy
        data = snap["data"]
        for i, row in enumerate([*data["evaluation"], data["overview"]]):
            metrics = {m["code"]: m for m in row["metrics"]}
            assert (
                metrics["PETITION_PROCESSING_ON_TIME"]["numerator"],
                metrics["PETITION_PROCESSING_ON_TIME"]["denominator"],
            ) == (on_time[i], handled[i])
            assert metrics["PETITION_HANDLING_SATISFACTION"]["numerator"] == handled[i] - bad[i]
            checked += handled[i] > 0
    assert checked > 20


def test_publication_register_loads_and_the_portal_counts_follow_from_it(inbox):
    root, summary = inbox
    catalogue = read_catalogue(root / "tthc" / "danh_muc_tthc.csv", root / "work", matcher=matcher_for("Thái Nguyên"))
    result = read_publication(root / "tthc" / "cong_bo_tthc.csv", root / "work", [r["procedure_code"] for r in catalogue.rows])
    assert result.rejects == [] and result.file_issues == []
    assert len(result.rows) == summary["publication_rows"] >= 20
    rows = result.rows
    for first, last, captured, snap in _snapshots(root, "transparency"):
        today = captured.date()
        period = [r for r in rows if first <= r["decision_date"] <= min(last, today)]
        on_time = sum(add_working_days(r["decision_date"], 5) <= r["legal_effective_date"] for r in period)
        public = 0
        for r in period:
            deadline = add_working_days(r["decision_date"], 5)
            known = r["made_public_date"] is not None and r["made_public_date"] <= today
            public += r["made_public_date"] <= deadline if known else today <= deadline
        full = sum(r["parts_complete"] == 7 for r in period)
        expected = [(on_time, len(period)), (public, len(period)), (full, len(period))]
        data = snap["data"]
        for row in [data["overview"], *data["evaluation"]]:  # province-wide: the same for every unit
            assert [(m["numerator"], m["denominator"]) for m in row["metrics"][:3]] == expected


def test_publication_months_do_not_depend_on_the_range_and_have_the_documented_rates():
    units = load_units("Thái Nguyên")
    cat = build_catalogue(units, np.random.default_rng(np.random.SeedSequence(2026).spawn(5)[0]))
    year = build_publication(cat, Calendar.build(date(2026, 1, 1), date(2026, 12, 31)), 2026)
    march = build_publication(cat, Calendar.build(date(2026, 3, 1), date(2026, 3, 31)), 2026)

    def key(r):
        return r.decision_number, r.decision_date, r.procedure, r.effective, r.made_public, r.parts

    assert [key(r) for r in march] == [key(r) for r in year if r.decision_date.month == 3]
    assert 120 <= len(year) <= 190  # about 13 a month
    cal = Calendar.build(date(2026, 1, 1), date(2026, 12, 31))
    assert 0.85 <= np.mean([r.publish_on_time(cal) for r in year]) <= 0.97
    assert 0.9 <= np.mean([r.made_public <= r.public_deadline(cal) for r in year]) <= 0.99
    assert np.mean([all(r.parts) for r in year]) >= 0.95
    assert len({r.decision_number for r in year}) == len({(r.decision_number, r.decision_date) for r in year})
