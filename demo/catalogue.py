"""The procedure catalogue of the demo: about 450 provincial procedures spread over the agencies, about 130
commune-level ones, each with a field, online level, fee, processing time and a volume weight."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.units import AGENCY, Unit
from demo.vocab import (
    COMMUNE_PROCEDURES,
    COMMUNE_TARGET,
    FIELD_SPECS,
    LICENCE_VERBS,
    PROVINCE_PROCEDURES,
    PROVINCE_TARGETS,
    FieldProcedures,
)
from sources.tthc_format import AUTHORITY_LEVELS, BOOLEANS, CATALOGUE_COLUMNS, COMMUNE_OWNER, ONLINE_LEVELS

ONLINE_FULL, ONLINE_PARTIAL, ONLINE_NONE = 0, 1, 2
ONLINE_CODES = ("full", "partial", "none")  # index = the numeric level above
EXTRA_COLUMNS = ("Thời hạn giải quyết (ngày làm việc)", "Mức phí, lệ phí (đồng)")


@dataclass(frozen=True)
class Catalogue:
    """One entry per procedure; numpy arrays so dossiers can index them."""

    code: list[str]
    name: list[str]
    field: list[str]
    commune_level: np.ndarray  # bool
    agency: np.ndarray  # index into units of the owning agency, -1 for commune-level procedures
    online: np.ndarray  # ONLINE_FULL | ONLINE_PARTIAL | ONLINE_NONE
    fee: np.ndarray  # base fee in đồng, 0 when the procedure bears no fee
    per_page: np.ndarray  # bool: fee is charged per page (certified copies)
    days: np.ndarray  # processing time in working days
    weight: np.ndarray  # relative volume within its unit
    late: np.ndarray  # multiplier of the unit's late rate
    payment_integrated: np.ndarray  # bool: online payment is wired up on the portal

    def __len__(self) -> int:
        return len(self.code)


def _expand(fp: FieldProcedures) -> list[str]:
    """Complete names first, then "Cấp <licence>", then the other verbs, so a cut keeps the basics."""
    names = list(fp.names) + [f"{LICENCE_VERBS[0]} {lic}" for lic in fp.licences]
    names += [f"{verb} {lic}" for verb in LICENCE_VERBS[1:] for lic in fp.licences]
    return names


def _pick(groups: tuple[FieldProcedures, ...], target: int, rng: np.random.Generator) -> list[tuple[str, str, float]]:
    """(field, name, top weight) for up to `target` procedures, spread over the fields of the groups."""
    per_field = [[(fp.field, n, fp.top.get(n, 0.0)) for n in _expand(fp)] for fp in groups]
    base = [
        [item for item in items if item[1] in set(fp.names) or item[1].startswith(LICENCE_VERBS[0] + " ")]
        for fp, items in zip(groups, per_field, strict=True)
    ]
    chosen = [item for items in base for item in items]
    extra = [item for items in per_field for item in items if item not in chosen]
    order = rng.permutation(len(extra))
    chosen += [extra[i] for i in order[: max(0, target - len(chosen))]]
    seen: set[str] = set()
    unique = []
    for item in chosen:  # a licence verb can repeat a complete name: keep the first
        if item[1] not in seen:
            seen.add(item[1])
            unique.append(item)
    return unique


def build_catalogue(units: tuple[Unit, ...], rng: np.random.Generator) -> Catalogue:
    rows: list[tuple[str, str, float, int]] = []  # field, name, top weight, agency index (-1 commune)
    for i, unit in enumerate(units):
        if unit.group != AGENCY:
            continue
        key = unit.code.split(".")[-1]
        groups = PROVINCE_PROCEDURES.get(key, ())
        rows += [(f, n, w, i) for f, n, w in _pick(groups, PROVINCE_TARGETS.get(key, 0), rng)]
    n_province = len(rows)
    rows += [(f, n, w, -1) for f, n, w in _pick(COMMUNE_PROCEDURES, COMMUNE_TARGET, rng)]
    n = len(rows)
    commune = np.arange(n) >= n_province

    # National-style codes: 1.00xxxx for provincial procedures, 2.00xxxx for commune ones, unique.
    numbers = rng.choice(np.arange(100, 14_000), size=n, replace=False)
    codes = [f"{'2' if commune[i] else '1'}.{numbers[i]:06d}" for i in range(n)]

    fields = [r[0] for r in rows]
    specs = [FIELD_SPECS[f] for f in fields]
    u = rng.random((n, 4))
    online = np.array([np.searchsorted(np.cumsum(s.online), u[i, 0] * sum(s.online)) for i, s in enumerate(specs)])
    online = np.minimum(online, ONLINE_NONE)
    fee_bearing = np.array([u[i, 1] < s.fee_share and max(s.fees) > 0 for i, s in enumerate(specs)])
    fee = np.array([s.fees[int(u[i, 2] * len(s.fees))] for i, s in enumerate(specs)]) * fee_bearing
    days = np.array([rng.integers(s.days[0], s.days[1] + 1) for s in specs])
    # Volume: a few named procedures dominate, the long tail is lognormal (many rarely used).
    top = np.array([r[2] for r in rows])
    weight = np.where(top > 0, top, rng.lognormal(-0.5, 1.3, n))
    names = [r[1] for r in rows]
    per_page = np.array([nm.startswith("Chứng thực bản sao từ bản chính") for nm in names])
    fee = np.where(per_page, 2_000, fee)
    return Catalogue(
        code=codes,
        name=names,
        field=fields,
        commune_level=commune,
        agency=np.array([r[3] for r in rows]),
        online=online.astype(np.int8),
        fee=fee.astype(np.int64),
        per_page=per_page,
        days=days.astype(np.int64),
        weight=weight,
        late=np.array([s.late for s in specs]),
        payment_integrated=(fee > 0) & (u[:, 3] < 0.8),
    )


def catalogue_csv(cat: Catalogue, units: tuple[Unit, ...]) -> bytes:
    """The catalogue file: UTF-8 with BOM, the format's headers plus informative extra columns."""
    level = {v: k for k, v in AUTHORITY_LEVELS.items()}
    online = {v: k for k, v in ONLINE_LEVELS.items()}
    yes_no = {v: k for k, v in BOOLEANS.items()}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.header for c in CATALOGUE_COLUMNS] + list(EXTRA_COLUMNS))
    for i in range(len(cat)):
        owner = COMMUNE_OWNER if cat.commune_level[i] else units[cat.agency[i]].name
        writer.writerow(
            [
                cat.code[i],
                cat.name[i],
                cat.field[i],
                level["commune" if cat.commune_level[i] else "province"],
                online[ONLINE_CODES[cat.online[i]]],
                yes_no[bool(cat.fee[i] > 0)],
                owner,
                yes_no[bool(cat.payment_integrated[i])],
                int(cat.days[i]),
                int(cat.fee[i]),
            ]
        )
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def write_catalogue(path: Path, cat: Catalogue, units: tuple[Unit, ...]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(catalogue_csv(cat, units))
