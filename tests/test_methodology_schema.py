"""The methodology files' declared shape (scoring/methodology_schema.py): same parsed content as before the files were
rewritten in block style, JSON schemas up to date, one rule vocabulary, Vietnamese errors naming file and line."""

from __future__ import annotations

import dataclasses
import json
import warnings
from datetime import date
from pathlib import Path

import pytest

from scoring.criteria import PROVINCE_PLACEHOLDER, TreeError, load_tree
from scoring.methodology_schema import SCHEMA_DIR, SCHEMAS, MethodologyDeprecation, schema_text
from scoring.qd766 import MethodologyError, load_methodology

ROOT = Path(__file__).resolve().parent.parent / "methodology"
FILES = sorted(ROOT.glob("*/*.yaml"))
# The parsed files as main's hand-written loaders gave them before this change (flow-style YAML, the word `linear`).
BEFORE = json.loads((Path(__file__).parent / "data" / "methodology_parsed_before.json").read_text(encoding="utf-8"))


def _plain(obj: object) -> object:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name != "path"}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, date):
        return obj.isoformat()
    return obj


def _load(path: Path) -> object:
    return load_methodology(path) if path.parent.name == "qd766" else load_tree(path)


def _renamed(before: object, new_word: str) -> object:
    """The reference with the old rule word replaced: `linear` is `proportional` in QĐ 766, `target` in the trees."""
    text = json.dumps(before, ensure_ascii=False).replace('"kind": "linear"', f'"kind": "{new_word}"')
    return json.loads(text)


def test_every_file_is_in_the_reference():
    assert sorted(str(p.relative_to(ROOT)) for p in FILES) == sorted(BEFORE)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_parsed_content_unchanged(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", MethodologyDeprecation)  # the files themselves use the new words
        parsed = _plain(_load(path))
    word = "proportional" if path.parent.name == "qd766" else "target"
    # Added since the reference: what a tree does with a computed criterion the warehouse cannot measure.
    unmeasured = {v for v in _pop_all(parsed, "unmeasured")}
    assert unmeasured == {"par": {"self"}, "dti": {"leave_out"}}.get(path.parent.name, set())
    # Added since the reference: a band starting above its minimum (Thái Nguyên's "tốt > 80").
    above = [a for a in _pop_all(parsed, "above") if a]
    assert above == ([True] if path.parent.name == "par" else [])
    # Since the reference the default trees name the province served by a placeholder (filled by tree_for).
    parsed = json.loads(json.dumps(parsed, ensure_ascii=False).replace(PROVINCE_PLACEHOLDER, "tỉnh Thái Nguyên"))
    assert parsed == _renamed(BEFORE[str(path.relative_to(ROOT))], word)


def _pop_all(obj: object, key: str) -> list[object]:
    """Remove ``key`` from every mapping inside ``obj`` and return the values removed."""
    found: list[object] = []
    if isinstance(obj, dict):
        if key in obj:
            found.append(obj.pop(key))
        for value in obj.values():
            found += _pop_all(value, key)
    elif isinstance(obj, list):
        for value in obj:
            found += _pop_all(value, key)
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_files_are_block_style_and_point_at_their_schema(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    schema = next(name for name, (_, folders) in SCHEMAS.items() if path.parent.name in folders)
    assert lines[0] == f"# yaml-language-server: $schema=../schema/{schema}"
    data_lines = [line for line in lines if not line.lstrip().startswith("#")]
    assert not [line for line in data_lines if "{" in line], "flow mappings {…}: write one key per line"
    # Short lists of names or a [threshold, share] pair stay on one line; nothing long in brackets.
    assert not [line for line in data_lines if "[" in line and len(line) > 110]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_json_schemas_are_up_to_date(name):
    model, _ = SCHEMAS[name]
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8") if (SCHEMA_DIR / name).exists() else ""
    assert committed == schema_text(model), "stale: run `make methodology-schema` and commit methodology/schema/"


def test_schema_lists_the_words_an_editor_offers():
    tree = json.loads((SCHEMA_DIR / "criteria_tree.schema.json").read_text(encoding="utf-8"))
    assert tree["additionalProperties"] is False
    assert "computed" in json.dumps(tree["$defs"]["TreeNode"]["properties"]["method"])
    assert "tthc_online_rate" in json.dumps(tree["$defs"]["TreeNode"]["properties"]["formula"])
    qd = json.loads((SCHEMA_DIR / "qd766.schema.json").read_text(encoding="utf-8"))
    assert "proportional" in json.dumps(qd["$defs"]["Qd766Indicator"]["properties"]["rule"])


# --- the old word `linear` is still read, with a Vietnamese warning naming the line ---------------------------


def test_legacy_linear_in_a_tree_means_target(tmp_path):
    source = ROOT / "par" / "par_2026_agency_default.yaml"
    text = source.read_text(encoding="utf-8")
    legacy = tmp_path / source.name
    legacy.write_text(text.replace("kind: target", "kind: linear"), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "kind: target" in row)
    with pytest.warns(MethodologyDeprecation) as record:
        old = load_tree(legacy)
    assert str(record[0].message) == (
        f"par_2026_agency_default.yaml, dòng {line}: 'kind: linear' là tên cũ, hãy đổi "
        "thành 'kind: target' (điểm = tối đa × min(1, giá trị/target))"
    )
    assert len(record) == text.count("kind: target")
    assert _plain(old) == _plain(load_tree(source))


def test_legacy_linear_in_qd766_means_proportional(tmp_path):
    source = ROOT / "qd766" / "qd766_2022_dvcqg.yaml"
    legacy = tmp_path / source.name
    legacy.write_text(source.read_text(encoding="utf-8").replace("rule: proportional", "rule: linear"), encoding="utf-8")
    with pytest.warns(MethodologyDeprecation) as record:
        old = load_methodology(legacy)
    assert all("'rule: linear' là tên cũ, hãy đổi thành 'rule: proportional'" in str(w.message) for w in record)
    assert _plain(old) == _plain(load_methodology(source))
    assert old.indicators[0].rule.kind == "proportional" and old.indicators[0].rule.stored_word == "linear"


# --- broken files: Vietnamese messages naming the file and the line ------------------------------------------


def _broken(tmp_path: Path, source: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of a file with one edit, and the line of the edit."""
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, line


PAR = ROOT / "par" / "par_2026_agency_default.yaml"
QD = ROOT / "qd766" / "qd766_2022_dvcqg.yaml"


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        # unknown field (the classic: an unquoted comma in a flow mapping, here a typo)
        ("    max: 1\n    method: self\n", "    max: 1\n    methd: self\n", "tiêu chí LV1.1.1: trường không hợp lệ 'methd'"),
        # wrong type
        (
            '  - code: LV1.2\n    parent: LV1\n    name: "Báo cáo CCHC định kỳ đầy đủ, đúng thời hạn"\n    max: 1.5',
            '  - code: LV1.2\n    parent: LV1\n    name: "Báo cáo CCHC định kỳ đầy đủ, đúng thời hạn"\n    max: "1,5"',
            "tiêu chí LV1.2, max: '1,5' phải là số",
        ),
        # a word outside the vocabulary
        (
            "      kind: target\n      target: 100",
            "      kind: curve\n      target: 100",
            ("tiêu chí LV1.1.2, rule: kind 'curve' không hợp lệ, chỉ dùng: 'target', 'linear', 'thresholds', 'yes_no', 'choice'"),
        ),
    ],
)
def test_tree_shape_errors_name_file_and_line(tmp_path, old, new, words):
    path, line = _broken(tmp_path, PAR, old, new)
    changed = line + next(i for i, (a, b) in enumerate(zip(old.splitlines(), new.splitlines(), strict=False)) if a != b)
    with pytest.raises(TreeError) as caught:
        load_tree(path)
    assert str(caught.value).startswith("par_2026_agency_default.yaml: ")
    assert f"dòng {changed}, {words}" in str(caught.value), str(caught.value)


def test_tree_missing_field_names_the_criterion_line(tmp_path):
    path, line = _broken(
        tmp_path, PAR, "  - code: LV1.3\n    parent: LV1\n    name:", "  - code: LV1.3\n    parent: LV1\n    nam:"
    )
    with pytest.raises(TreeError) as caught:
        load_tree(path)
    assert f"dòng {line}, tiêu chí LV1.3: thiếu trường name" in str(caught.value), str(caught.value)


def test_tree_bad_sum_names_the_parent_line(tmp_path):
    path, _ = _broken(
        tmp_path,
        PAR,
        '    name: "Báo cáo CCHC định kỳ đầy đủ, đúng thời hạn"\n    max: 1.5',
        '    name: "Báo cáo CCHC định kỳ đầy đủ, đúng thời hạn"\n    max: 2',
    )
    lv1 = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if row == "  - code: LV1")
    with pytest.raises(TreeError) as caught:
        load_tree(path)
    assert str(caught.value) == f"par_2026_agency_default.yaml: dòng {lv1}, tiêu chí LV1: tổng điểm tiêu chí con 11.5 ≠ 11"
    path, line = _broken(tmp_path, PAR, "max: 100\n", "max: 99\n")
    with pytest.raises(TreeError, match=f"dòng {line}, tổng điểm các lĩnh vực 100 ≠ max 99"):
        load_tree(path)


def test_yaml_syntax_error_names_the_line(tmp_path):
    path, line = _broken(tmp_path, PAR, "  - code: LV1.2\n", "  - code: [LV1.2\n")
    with pytest.raises(TreeError) as caught:
        load_tree(path)
    assert str(caught.value).startswith("par_2026_agency_default.yaml: dòng ")
    assert "không đọc được tệp YAML" in str(caught.value)
    assert int(str(caught.value).split("dòng ")[1].split(",")[0]) in (line, line + 1), str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "        rule: proportional\n        scope: province\n        numerator: publish_on_time",
            "        rule: proportional\n        scop: province\n        numerator: publish_on_time",
            "nhóm CKMB, chỉ tiêu 1.1: trường không hợp lệ 'scop'",
        ),
        (
            "        metric: PUBLISH_ON_TIME\n        max: 6",
            "        metric: PUBLISH_ON_TIME\n        max: six",
            "nhóm CKMB, chỉ tiêu 1.1, max: 'six' phải là số",
        ),
        (
            "        numerator: publish_on_time\n",
            "        numerator: publish_in_time\n",
            "nhóm CKMB, chỉ tiêu 1.1, numerator: 'publish_in_time' không hợp lệ",
        ),
    ],
)
def test_qd766_shape_errors_name_file_and_line(tmp_path, old, new, words):
    path, line = _broken(tmp_path, QD, old, new)
    changed = line + next(i for i, (a, b) in enumerate(zip(old.splitlines(), new.splitlines(), strict=False)) if a != b)
    with pytest.raises(MethodologyError) as caught:
        load_methodology(path)
    assert str(caught.value).startswith("qd766_2022_dvcqg.yaml: ")
    assert f"dòng {changed}, {words}" in str(caught.value), str(caught.value)


def test_qd766_missing_field_and_bad_sum(tmp_path):
    path, _ = _broken(tmp_path, QD, "  tolerance: 0.011\n", "")
    with pytest.raises(MethodologyError, match="parameters: thiếu trường tolerance"):
        load_methodology(path)
    path, _ = _broken(
        tmp_path, QD, "        metric: DOSSIER_SYNC\n        max: 6", "        metric: DOSSIER_SYNC\n        max: 7"
    )
    group_max = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if row == "    max: 18")
    with pytest.raises(MethodologyError) as caught:
        load_methodology(path)
    assert f"dòng {group_max}, nhóm CKMB: tổng điểm chỉ tiêu 19 ≠ 18" in str(caught.value), str(caught.value)
