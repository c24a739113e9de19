"""Scoring rules shared by the indices: how a ratio becomes points.

R is a ratio in percent. Rules (the vocabulary of methodology/README.md, shared with the PAR/DTI trees):
``proportional`` max × min(1, R/100) (the old word ``linear``); ``target`` max × min(1, R/target); ``unresolved``
the portal's score is used; ``info`` reported without points. A ``None`` count means "not evaluated" and gives no ratio and no points, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass

RULES = ("proportional", "target", "unresolved", "info")
WHEN_EMPTY = ("zero", "full")


@dataclass(frozen=True)
class Rule:
    kind: str  # proportional | target | unresolved | info
    max_points: float
    target: float | None = None  # percent, for "target"
    when_empty: str = "zero"  # points when the denominator is 0: zero | full
    scale: float = 100.0  # ratio = scale × numerator / denominator (1 for means such as days)

    @property
    def stored_word(self) -> str:
        """The word the marts carry for this rule: still `linear` for `proportional`, so published outputs do not move
        with the renaming; switching it is a named change of the marts."""
        return "linear" if self.kind == "proportional" else self.kind

    def __post_init__(self) -> None:
        if self.kind not in RULES:
            raise ValueError(f"unknown rule {self.kind!r}; expected one of {', '.join(RULES)}")
        if self.when_empty not in WHEN_EMPTY:
            raise ValueError(f"unknown when_empty {self.when_empty!r}; expected zero or full")
        if self.kind == "target" and not (self.target and self.target > 0):
            raise ValueError("a 'target' rule needs a positive target (percent)")


def ratio(rule: Rule, numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return rule.scale * numerator / denominator


def points(rule: Rule, numerator: float | None, denominator: float | None) -> float | None:
    """Unrounded points of one indicator; None when it is not evaluated or has no formula (unresolved)."""
    if rule.kind == "unresolved":
        return None
    if rule.kind == "info":
        return 0.0
    if numerator is None or denominator is None:
        return None
    if denominator == 0:
        return rule.max_points if rule.when_empty == "full" else 0.0
    r = 100.0 * numerator / denominator
    if rule.kind == "target" and rule.target is not None:  # __post_init__ makes a target rule carry one
        return rule.max_points * min(1.0, r / rule.target)
    return min(rule.max_points, rule.max_points * r / 100.0)  # proportional
