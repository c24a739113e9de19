"""The codes the demo's national portal (Cổng DVCQG) gives the units, as the real portal does.

The real portal numbers a province's units in its own running sequence under the province's prefix (Phú Thọ's
agencies H44.01, H44.03 …, its communes and wards H44.100 … H44.247), unrelated to the national ward codes; the
pipeline knows a commune's portal code only from ``masterdata/portal_codes/<province>.csv``. The demo writes no such
file, so its communes and wards are matched by name, as a province's would be before it fills the file in.
"""

from __future__ import annotations

from collections.abc import Iterable

from common.units import AGENCY, Unit, portal_province

FIRST_LOCAL = 100  # communes and wards start at <prefix>.100, after the agencies' <prefix>.NN


def demo_province_code(units: Iterable[Unit]) -> str:
    """The province's own portal code (H55), the prefix of its units' codes."""
    province = next(iter(units)).province
    found = portal_province(province)
    if found is None:
        raise ValueError(f"masterdata/portal_provinces.csv has no portal code for {province}")
    return found.portal_code


def demo_portal_codes(units: Iterable[Unit]) -> dict[str, str]:
    """Unit code -> portal code: an agency's master-data ``portal_code``, or ``<prefix>.NN`` in order when it has none;
    communes and wards ``<prefix>.100``, ``<prefix>.101`` … in the order of the units. No code is given twice."""
    units = tuple(units)
    if not units:
        return {}
    prefix = demo_province_code(units)
    used = {u.portal_code for u in units if u.portal_code}
    codes: dict[str, str] = {}
    next_agency, next_local = 1, FIRST_LOCAL

    def fresh(n: int, width: int) -> tuple[str, int]:
        while f"{prefix}.{n:0{width}d}" in used:  # skip a number master data already gives an agency
            n += 1
        return f"{prefix}.{n:0{width}d}", n + 1

    for u in units:
        if u.group == AGENCY and u.portal_code:
            codes[u.code] = u.portal_code
        elif u.group == AGENCY:
            codes[u.code], next_agency = fresh(next_agency, 2)
        else:
            codes[u.code], next_local = fresh(next_local, 3)
        used.add(codes[u.code])
    return codes
