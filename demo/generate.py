"""Generate a deterministic, seeded demo inbox: procedure catalogue, daily dossier exports, monthly PAKN exports,
the procedure publication register, the national portal's QĐ 766 snapshots, the plan register and the offices'
progress reports.

    python -m demo.generate --inbox PATH [--scale X] [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--seed N]
                            [--no-bad-files]

Same arguments, byte-identical files. Layout and modelling choices: demo/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from common.pii import DEMO_MARKER
from common.units import load_units
from demo import badfiles
from demo.catalogue import build_catalogue, write_catalogue
from demo.dossier_files import BOM, Formatter, day_bodies, header_line, people
from demo.dti import write_dti_inbox
from demo.par import write_par_inbox
from demo.petitions import months, simulate_petitions, write_petitions
from demo.plan import write_plan_inbox
from demo.portal import write_portal
from demo.publication import build_publication, write_publication
from demo.simulate import Calendar, simulate, unit_traits, versions
from sources.petition_format import PETITION_DIR, PETITION_FILE_PATTERN
from sources.publication_format import PUBLICATION_FILE_NAME
from sources.tthc_format import CATALOGUE_FILE_NAME, DOSSIER_FILE_PATTERN, dossier_file_name

DEMO_START = date(2026, 1, 1)
DEMO_END = date(2026, 11, 26)
TTHC_DIR, PORTAL_DIR, BAD_FILES_DOC = "tthc", "portal", "BAD_FILES.md"


def _clear_previous(inbox: Path) -> None:
    """Remove only what an earlier run wrote, so a smaller range does not leave stale days behind."""
    tthc, portal = inbox / TTHC_DIR, inbox / PORTAL_DIR
    stale = [
        p
        for p in tthc.glob("*.csv")
        if DOSSIER_FILE_PATTERN.match(p.name) or p.name in (CATALOGUE_FILE_NAME, PUBLICATION_FILE_NAME)
    ]
    stale += [p for p in (inbox / PETITION_DIR).glob("*.csv") if PETITION_FILE_PATTERN.match(p.name)]
    stale += [*portal.glob("*.json"), inbox / BAD_FILES_DOC]
    for path in stale:
        path.unlink(missing_ok=True)


def generate_inbox(
    inbox: Path,
    *,
    start: date = DEMO_START,
    end: date = DEMO_END,
    scale: float = 1.0,
    seed: int = 2026,
    province: str = "Thái Nguyên",
    bad_files: bool = True,
) -> dict:
    """Write the demo inbox under `inbox` and return a summary (files, dossiers, versions, bad files)."""
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    if scale <= 0 or seed < 0:
        raise ValueError("scale must be positive and seed non-negative")
    began = time.perf_counter()
    inbox = Path(inbox)
    units = load_units(province)
    # Independent streams, so a change in one part (say, people's names) leaves the others as they were.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    cat_rng, trait_rng, sim_rng, people_rng, bad_rng = streams

    cat = build_catalogue(units, cat_rng)
    cal = Calendar.build(start, end)
    traits = unit_traits(units, cat, trait_rng)
    dossiers = simulate(units, cat, cal, traits, scale, sim_rng)
    vers = versions(dossiers)
    fmt = Formatter(dossiers, units, cat, people(dossiers, units, people_rng))

    _clear_previous(inbox)
    tthc = inbox / TTHC_DIR
    tthc.mkdir(parents=True, exist_ok=True)
    # The public demo secret of the applicant pseudonyms is accepted only on an inbox carrying this mark (common/pii.py).
    (inbox / DEMO_MARKER).write_text("Hộp thư dữ liệu mẫu do demo/generate.py tạo (không phải dữ liệu thật).\n", encoding="utf-8")
    write_catalogue(tthc / CATALOGUE_FILE_NAME, cat, units)
    written = [inbox / DEMO_MARKER, tthc / CATALOGUE_FILE_NAME]

    epoch = date(1970, 1, 1)
    days = cal.days
    rows_per_day = dict(
        zip(
            (epoch + timedelta(days=int(x)) for x in days),
            np.bincount(vers.day - days[0], minlength=len(days)).tolist(),
            strict=False,
        )
    )
    bad_plan = badfiles.plan(start, end, rows_per_day) if bad_files else {}
    free_seq = {day: int(dossiers.counts[i].max(initial=0)) + 101 for i, day in enumerate(rows_per_day)}
    ctx = badfiles.Context(units, cat, cal, bad_rng, free_seq)
    bad: list[dict] = []
    header = BOM + header_line()
    for epoch_day, body in day_bodies(fmt, vers, days):
        day = epoch + timedelta(days=epoch_day)
        path = tthc / dossier_file_name(day)
        content = header + body
        kind = bad_plan.get(day)
        if kind is not None:
            content, codes = badfiles.damage(kind, day, body, ctx)
            bad.append(
                {
                    "file": f"{TTHC_DIR}/{path.name}",
                    "kind": kind.key,
                    "problem": kind.problem,
                    "expected": kind.expected,
                    "dossier_codes": codes,
                }
            )
        path.write_bytes(content)
        written.append(path)

    # Petitions and publication: individual records; the portal's counts of 1.1-1.3, 5.2 and 5.3 come from them.
    petitions = simulate_petitions(dossiers, units, cal, traits, seed)
    publication = build_publication(cat, cal, seed)
    write_publication(tthc / PUBLICATION_FILE_NAME, publication, cat, end)
    written.append(tthc / PUBLICATION_FILE_NAME)
    extra = {}
    if bad_files:
        first_month = months(start, end)[0]
        rows, codes = badfiles.petition_bad_rows(units, min(max(first_month, start) + timedelta(days=5), end))
        extra[first_month] = rows
        kind = badfiles.PETITION_BAD
        bad.append(
            {
                "file": f"{PETITION_DIR}/pakn_{first_month:%Y%m}.csv",
                "kind": kind.key,
                "problem": kind.problem,
                "expected": kind.expected,
                "dossier_codes": codes,
            }
        )
    petition_files = write_petitions(inbox, petitions, units, cal, seed, extra)
    written += petition_files

    portal_files, portal_bad = write_portal(
        inbox / PORTAL_DIR, dossiers, units, cat, cal, traits, petitions, publication, seed, bad_files
    )
    written += portal_files
    bad += portal_bad
    # The plan register (ke_hoach/) and the offices' progress reports (tien_do/) dated up to the end of the range.
    plan = write_plan_inbox(inbox, end, bad_files, province)
    written += plan["written"]
    bad += plan["bad"]
    # The PAR index (Chỉ số CCHC): self-assessment forms, the council's appraisal and the survey results (par/).
    par = write_par_inbox(inbox, units, seed, bad_files)
    written += par["written"]
    bad += par["bad"]
    # The DTI (Chỉ số chuyển đổi số): self-assessment forms, other systems' values, last year's results (dti/).
    dti = write_dti_inbox(inbox, units, seed, bad_files)
    written += dti["written"]
    bad += dti["bad"]
    if bad_files:
        notes = plan["notes"] + dti["notes"]  # what is wrong without a file: reports never sent, forms not submitted
        (inbox / BAD_FILES_DOC).write_text(badfiles.markdown(bad, start, end, notes), encoding="utf-8")
        written.append(inbox / BAD_FILES_DOC)
    # The summary stays small: the explanations are in BAD_FILES.md.
    bad_summary = [{"file": b["file"], "kind": b["kind"], "dossier_codes": b.get("dossier_codes", [])} for b in bad]
    return {
        "inbox": str(inbox),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "scale": scale,
        "seed": seed,
        "files_written": len(written),
        "dossier_files": len(days),
        "petition_files": len(petition_files),
        "portal_files": len(portal_files),
        "bytes_written": sum(p.stat().st_size for p in written),
        "procedures": len(cat),
        "dossiers": len(dossiers),
        "versions": len(vers.dossier),
        "petitions": len(petitions),
        "publication_rows": len(publication),
        "plan_registers": plan["plan_registers"],
        "progress_reports": plan["progress_reports"],
        "par_forms": par["par_forms"],
        "par_unappraised": len(par["par_unappraised"]),
        "par_survey_rows": par["par_survey_rows"],
        "dti_forms": dti["dti_forms"],
        "dti_missing_units": len(dti["dti_missing_units"]),
        "dti_external_rows": dti["dti_external_rows"],
        "dti_previous_rows": dti["dti_previous_rows"],
        "bad_files": bad_summary,
        "seconds": round(time.perf_counter() - began, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True, help="folder to write tthc/ and portal/ into")
    parser.add_argument("--scale", type=float, default=1.0, help="volume factor (1.0 = ~1.5 million dossiers a year)")
    parser.add_argument("--start", type=date.fromisoformat, default=DEMO_START)
    parser.add_argument("--end", type=date.fromisoformat, default=DEMO_END)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--province", default="Thái Nguyên")
    parser.add_argument("--no-bad-files", dest="bad_files", action="store_false", help="write only good files")
    args = parser.parse_args(argv)
    summary = generate_inbox(
        args.inbox,
        start=args.start,
        end=args.end,
        scale=args.scale,
        seed=args.seed,
        province=args.province,
        bad_files=args.bad_files,
    )
    short = {k: v for k, v in summary.items() if k != "bad_files"}
    short["bad_files"] = [b["file"] for b in summary["bad_files"]]
    json.dump(short, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
