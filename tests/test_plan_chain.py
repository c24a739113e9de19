"""How the registers of a plan year chain (warehouse.plan_chain, pure): by revision number, a revision with its own
document number continuing the plan, a revision of a first issue that lost staying out, an undated revision applying
from its arrival."""

from __future__ import annotations

from datetime import date, datetime

from warehouse.plan_chain import Register, chain_registers


def _r(number: str, revision: int, issued: date | None, name: str, arrived: int = 1) -> Register:
    return Register(2026, number, revision, issued, name, datetime(2026, 1, arrived, 8, 0))


def test_a_revision_carrying_a_competing_first_issues_number_stays_with_that_plan() -> None:
    chains, notes = chain_registers(
        [
            _r("100/KH-SKHCN", 1, date(2025, 12, 1), "a1.xlsx"),
            _r("100/KH-SKHCN", 2, date(2026, 2, 1), "a2.xlsx"),  # amends the plan that lost
            _r("123/KH-SKHCN", 1, date(2025, 12, 30), "b1.xlsx"),
            _r("245/KH-SKHCN", 2, date(2026, 6, 15), "b2.xlsx"),  # its own number: continues the plan used
        ]
    )
    assert [(link.register.source_file, link.plan_number, link.in_force_from) for link in chains[2026]] == [
        ("b1.xlsx", "123/KH-SKHCN", date(2025, 12, 30)),
        ("b2.xlsx", "123/KH-SKHCN", date(2026, 6, 15)),
    ]
    assert [(f, rule) for f, rule, _ in notes] == [("b1.xlsx", "conflicting_plans")]


def test_a_chain_without_first_issue_starts_at_its_lowest_revision() -> None:
    chains, notes = chain_registers([_r("123/KH-SKHCN", 3, date(2026, 8, 1), "k3.xlsx"), _r("123/KH", 2, None, "k2.xlsx", 5)])
    assert [(link.register.revision, link.in_force_from) for link in chains[2026]] == [
        (2, date(2026, 1, 5)),  # undated: from its arrival
        (3, date(2026, 8, 1)),
    ]
    assert [rule for _, rule, _ in notes] == ["revision_gap", "revision_without_date"]  # (no first issue)
