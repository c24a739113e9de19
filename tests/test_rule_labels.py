"""Every quality rule a reader can raise has a Vietnamese name (issue 14: no raw rule code reaches an official)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sources.rule_labels import RULE_LABELS, rule_label

ROOT = Path(__file__).resolve().parents[1]
RULE = re.compile(r"^[a-z]+(?:_[a-z0-9]+)*$")
# Constructors of an issue, with the position of the rule among their arguments.
RULE_ARGUMENT = {
    "FileIssue": 0,
    "RowIssue": 0,
    "FormIssue": 0,
    "PortalIssue": 0,
    "_Refusal": 0,
    "_block": 1,
    "_note": 1,
    "reject": None,  # a method (row, key, rule, …) and a closure (rule, …): the first rule-like text argument
}


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _texts(node: ast.AST) -> set[str]:
    """Rule-like texts anywhere in an expression (``"a" if … else ("b" if … else "c")``)."""
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str) and RULE.match(n.value)}


def _appended_problem(node: ast.Call) -> set[str]:
    """``problems.append(("rule", reason, …))``: the first text of the tuple."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "append" and node.args):
        return set()
    owner = ast.unparse(func.value)
    tup = node.args[0]
    if "problem" not in owner or not isinstance(tup, ast.Tuple) or not tup.elts:
        return set()
    first = tup.elts[0]
    return {first.value} if isinstance(first, ast.Constant) and isinstance(first.value, str) else set()


def _rules_in(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "rule" for t in node.targets):
            found |= _texts(node.value)
        if not isinstance(node, ast.Call):
            continue
        found |= _appended_problem(node)
        found |= {k.value.value for k in node.keywords if k.arg == "rule" and isinstance(k.value, ast.Constant)}
        name = _called(node)
        if name not in RULE_ARGUMENT:
            continue
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        position = RULE_ARGUMENT[name]
        if position is None:  # reject(rule, …) or reject(row, key, rule, …)
            position = 0 if texts and texts[0] else 2
        if len(texts) > position and texts[position] and RULE.match(texts[position]):
            found.add(texts[position])
    return found


SQL_RULE = re.compile(r"'([a-z][a-z0-9_]*)'\s+AS\s+rule\b", re.I)


def emitted_rules() -> set[str]:
    """The rules the readers and the loading code raise: from their Python (issue constructors, ``rule=``,
    ``rule = …``, ``problems.append((rule, …))``) and their SQL (``'rule' AS rule``)."""
    rules = set()
    for folder in ("sources", "warehouse"):
        for path in (ROOT / folder).rglob("*.py"):
            rules |= _rules_in(ast.parse(path.read_text(encoding="utf-8")))
        for path in (ROOT / folder).rglob("*.sql"):
            rules |= set(SQL_RULE.findall(path.read_text(encoding="utf-8")))
    return rules


def test_every_rule_raised_by_a_reader_has_a_vietnamese_name():
    rules = emitted_rules()
    assert len(rules) > 60  # the scan finds the readers' rules (it would pass vacuously on a renamed constructor)
    assert {"completed_before_received", "missing_evidence", "bad_answer", "unknown_component"} <= rules
    assert sorted(r for r in rules if rule_label(r) is None) == []


def test_labels_are_vietnamese_sentences_not_codes():
    for rule, label in RULE_LABELS.items():
        assert label and label[0].isupper() and "_" not in label, (rule, label)
    assert rule_label("no_such_rule") is None
