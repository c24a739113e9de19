"""The shape of the methodology files, declared once (pydantic, unknown keys refused): the QĐ 766 methodology
(`methodology/qd766/*.yaml`) and the PAR/DTI criteria trees (`methodology/par/`, `methodology/dti/`).

The loaders (`scoring/qd766.py`, `scoring/criteria.py`) read a file with `read_model`, which checks this shape and
reports every problem in Vietnamese with the file and the line; they keep only the rules that span several fields
(sums of maxima, parents that exist, bands in order, …). `write_schemas` writes the JSON schema of each kind of file to
`methodology/schema/`, which the `# yaml-language-server: $schema=…` line of every file points at, so an editor
completes and checks the keys while an analyst types. Pure: no dagster here.

One rule vocabulary across the three indices (README of `methodology/`):
- `proportional`: points = max × min(1, R / 100), R in percent (QĐ 766 indicators scored in proportion to the ratio);
- `target`: points = max × min(1, R / target) (a target reached gives full points);
- `thresholds`, `yes_no`, `choice` (PAR/DTI answers), `unresolved` and `info` (QĐ 766).
The old word `linear` meant `proportional` in QĐ 766 and `target` in PAR/DTI; it is still read, with a warning.
"""

from __future__ import annotations

import json
import unicodedata
import warnings
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

METHODOLOGY_DIR = Path(__file__).resolve().parent.parent / "methodology"
SCHEMA_DIR = METHODOLOGY_DIR / "schema"
LEGACY_RULE_WORD = "linear"

# Values the warehouse measures per unit and year (percent); a computed criterion must name one of these.
FORMULAS = {
    "tthc_on_time_rate": "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn (%) trong năm, từ luồng dữ liệu TTHC",
    "tthc_online_rate": "Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến (%) trong năm, từ luồng dữ liệu TTHC",
    "plan_tasks_on_time_rate": "Tỷ lệ nhiệm vụ trong kế hoạch CCHC hoàn thành đúng hạn (%), từ theo dõi tiến độ kế hoạch",
    "dt_plan_tasks_on_time_rate": (
        "Tỷ lệ nhiệm vụ chuyển đổi số trong kế hoạch năm hoàn thành đúng hạn (%), từ theo dõi tiến độ kế hoạch"
    ),
    "full_online_procedures_with_dossiers_rate": (
        "Tỷ lệ TTHC cung cấp DVCTT toàn trình có phát sinh hồ sơ trực tuyến trong năm (%), từ luồng dữ liệu TTHC"
    ),
    "digitisation_rate": "Tỷ lệ hồ sơ TTHC được số hóa (%) trong năm, từ luồng dữ liệu TTHC",
    "e_result_rate": "Tỷ lệ hồ sơ TTHC được cấp kết quả điện tử (%) trong năm, từ luồng dữ liệu TTHC",
    "online_payment_rate": "Tỷ lệ hồ sơ có nghĩa vụ tài chính được thanh toán trực tuyến (%) trong năm, từ luồng dữ liệu TTHC",
}

# Counts the warehouse measures per unit and period (warehouse/qd766.py); a QĐ 766 file may only name these.
LOCAL_MEASURES = frozenset(
    {
        "published",
        "publish_on_time",
        "public_update_on_time",
        "content_full",
        "synced",
        "dossiers",
        "received",
        "on_time",
        "completed",
        "processing_days",
        "online_dossiers",
        "formalities",
        "online_formalities",
        "online_formalities_with_dossiers",
        "fee_formalities",
        "integrated_formalities",
        "paid_formalities",
        "fee_dossiers",
        "paid_dossiers",
        "petitions",
        "petitions_on_time",
        "petitions_satisfied",
        "receiving_satisfied",
        "e_results",
        "digitised",
        "e_copy_offering",
        "e_copy_units",
        "reused",
        "personal_store",
        "citizen_data",
        "citizen_data_formalities",
        "formalities_with_dossiers",
    }
)


class MethodologyDeprecation(UserWarning):
    """A methodology file uses a word that is still read but will not be for long (e.g. `linear`)."""


class SchemaProblems(ValueError):
    """A file whose shape is wrong; ``problems`` are Vietnamese sentences, each naming the line."""

    def __init__(self, path: Path, problems: list[str]):
        self.path, self.problems = path, list(problems)
        super().__init__(f"{path.name}: " + "; ".join(self.problems))


def _code(value: object) -> object:
    # An unquoted code such as 3 is read by YAML as a number; the loaders always took it as the text "3".
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Code = Annotated[str, BeforeValidator(_code), Field(min_length=1)]


def _nfc(value: object) -> object:
    # A name or band label typed in a decomposed form (NFD, as some editors save): stored as the rest of the
    # project's text, or "Tốt" one year and "Tốt" the next would read as a change of band.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_nfc), Field(min_length=1)]
Names = Text | list[Text]  # one field name, or several that are summed


class Strict(BaseModel):
    # extra="forbid": an unquoted comma in a name splits it into a stray key, which must be an error, not a silent cut.
    # strict: "6" is not the number 6 and true is not 1, as the hand-written checks had it.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- QĐ 766 -------------------------------------------------------------------------------------------------

if TYPE_CHECKING:
    Measure = str  # a literal built at run time from LOCAL_MEASURES: to the type checker, a string
else:
    Measure = Literal[tuple(sorted(LOCAL_MEASURES))]


class Qd766Indicator(Strict):
    code: Code
    name: Text
    max: Annotated[float, Field(ge=0)]
    rule: Literal["proportional", "target", "unresolved", "info", "linear"] = Field(
        description="proportional: max × min(1, R/100); target: max × min(1, R/target); unresolved: điểm của Cổng; "
        "info: không tính điểm ('linear' là tên cũ của proportional)"
    )
    target: Annotated[float, Field(gt=0)] | None = None
    when_empty: Literal["zero", "full"] = "zero"
    scale: Annotated[float, Field(gt=0)] = 100.0
    numerator: Measure
    denominator: Measure
    metric: Text | None = None
    portal_numerator: Names | None = None
    portal_denominator: Names | None = None
    portal_value: Text | None = None
    scope: Literal["unit", "province"] = "unit"
    unit: Text = "%"


class Qd766Portal(Strict):
    endpoint: Text
    shape: Literal["tree", "evaluation"]
    fields: dict[Literal["province", "unit"], list[Text]] | None = None
    info_metrics: list[Text] | None = None


class Qd766Group(Strict):
    code: Code
    name: Text
    max: Annotated[float, Field(ge=0)]
    portal: Qd766Portal
    indicators: Annotated[list[Qd766Indicator], Field(min_length=1)]


class Qd766Parameters(Strict):
    publish_lead_working_days: Annotated[int, Field(ge=0)]
    public_update_working_days: Annotated[int, Field(ge=0)]
    certified_copy_procedure: Text
    tolerance: Annotated[float, Field(ge=0)]


class Qd766File(Strict):
    """One version of the portal's QĐ 766 formulas (`methodology/qd766/*.yaml`)."""

    index: Literal["qd766"]
    name: Text
    decision: Text
    valid_from: date
    max: Annotated[float, Field(gt=0)]
    parameters: Qd766Parameters
    groups: Annotated[list[Qd766Group], Field(min_length=1)]


# --- PAR / DTI criteria trees -------------------------------------------------------------------------------

# [low, high] and [threshold, share]: YAML lists of two numbers (low < high and share 0..1 are the loader's checks).
Pair = Annotated[list[float], Field(min_length=2, max_length=2)]
Range = Pair


class TargetRule(Strict):
    kind: Literal["target", "linear"] = Field(description="target: max × min(1, value/target) ('linear' là tên cũ)")
    target: Annotated[float, Field(gt=0)]
    range: Range | None = None


class ThresholdsRule(Strict):
    kind: Literal["thresholds"]
    steps: Annotated[list[Pair], Field(min_length=1)]
    range: Range | None = None


class YesNoRule(Strict):
    kind: Literal["yes_no"]


class ChoiceOption(Strict):
    label: Text
    share: Annotated[float, Field(ge=0, le=1)]


class ChoiceRule(Strict):
    kind: Literal["choice"]
    options: Annotated[list[ChoiceOption], Field(min_length=2)]


CriterionRuleModel = Annotated[TargetRule | ThresholdsRule | YesNoRule | ChoiceRule, Field(discriminator="kind")]


class TreeNode(Strict):
    code: Code
    parent: Code | None = None
    name: Text
    max: Annotated[float, Field(gt=0)]
    weight: Annotated[float, Field(ge=0)] | None = None
    method: Literal["group", "self", "survey_sipas", "survey_leaders", "computed", "external"]
    formula: Literal[tuple(FORMULAS)] | None = None  # type: ignore[valid-type]
    applies_to: list[Literal["agency", "commune", "ward", "province"]] | None = None
    rule: CriterionRuleModel | None = None
    source: Text | None = None


class TreeBand(Strict):
    min: Annotated[float, Field(ge=0, le=100)]
    label: Text
    # the band starts above ``min``, not at it ("tốt > 80": exactly 80 is the band below)
    above: bool = False


class TreePillar(Strict):
    code: Code
    name: Text
    domains: Annotated[list[Code], Field(min_length=1)]


class TreeFile(Strict):
    """A criteria tree of the PAR index or the DTI (`methodology/par/*.yaml`, `methodology/dti/*.yaml`)."""

    index: Text
    year: int
    group: Literal["agency", "local", "province"]
    decision: Text
    default: bool = False
    max: Annotated[float, Field(gt=0)]
    aggregation: Literal["sum", "weighted"] = "sum"
    unmeasured: Literal["self", "leave_out"] = Field(
        "leave_out",
        description=(
            "tiêu chí tính từ kho dữ liệu mà kho không có số liệu của đơn vị và chưa thẩm định: self = tính điểm tự "
            "chấm của đơn vị (tạm tính); leave_out = không đánh giá, ra khỏi mẫu số"
        ),
    )
    bands: Annotated[list[TreeBand], Field(min_length=1)]
    pillars: list[TreePillar] | None = None
    nodes: Annotated[list[TreeNode], Field(min_length=1)]


# The JSON schema of each kind of file: its name under methodology/schema/ and the folders whose files use it.
SCHEMAS: dict[str, tuple[type[Strict], tuple[str, ...]]] = {
    "qd766.schema.json": (Qd766File, ("qd766",)),
    "criteria_tree.schema.json": (TreeFile, ("par", "dti")),
}


# --- reading a file, with Vietnamese messages that name the line ----------------------------------------------

M = TypeVar("M", bound=Strict)


def _node_at(root: yaml.Node | None, loc: Sequence[int | str]) -> tuple[yaml.Node | None, yaml.Node | None]:
    """(deepest node reached along a pydantic error location, the key node of the last mapping step)."""
    node, key_node = root, None
    for step, part in enumerate(loc):
        last = step == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
            if found is None or (part == _kind(node) and not last):
                continue  # a union's branch name (e.g. 'target', 'str'): stay on this node
            key_node, node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            key_node, node = None, node.value[part]
        else:
            continue  # pydantic's own steps (a union's branch name, a tuple position beyond the data): stay put
    return node, key_node


def _kind(node: yaml.Node) -> str | None:
    """The `kind` written in a mapping node (the tag pydantic puts in the location of a rule's error)."""
    if isinstance(node, yaml.MappingNode):
        return next((v.value for k, v in node.value if k.value == "kind" and isinstance(v, yaml.ScalarNode)), None)
    return None


def line_of(root: yaml.Node | None, loc: Sequence[int | str], *, key: bool = False) -> int | None:
    """1-based line of the value (or, with ``key``, of the key) at a location of the file; None if not found."""
    node, key_node = _node_at(root, loc)
    chosen = key_node if key and key_node is not None else node
    return None if chosen is None else chosen.start_mark.line + 1


def _what(data: Any, loc: Sequence[int | str]) -> str:
    """The location in words: which criterion, indicator or group, then the key path inside it."""
    names: list[str] = []
    rest: list[str] = []
    cur = data
    labels = {
        "nodes": "tiêu chí",
        "groups": "nhóm",
        "indicators": "chỉ tiêu",
        "bands": "xếp loại",
        "pillars": "trụ cột",
        "options": "lựa chọn",
        "steps": "bậc",
    }
    i = 0
    while i < len(loc):
        part = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if part in labels and isinstance(nxt, int) and isinstance(cur, dict) and isinstance(cur.get(part), list):
            item = cur[part][nxt] if nxt < len(cur[part]) else None
            ident = (item.get("code") or item.get("label")) if isinstance(item, dict) else None
            names.append(f"{labels[part]} {ident}" if ident is not None else f"{labels[part]} thứ {nxt + 1}")
            cur, rest, i = item, [], i + 2
            continue
        tag = isinstance(cur, dict) and part == cur.get("kind") and i < len(loc) - 1
        if isinstance(part, str) and isinstance(cur, dict) and (part not in cur or tag):
            i += 1  # a union's branch name (the rule's kind, 'str', …), not a key of the file
            continue
        if isinstance(part, str):
            rest.append(part)
        elif isinstance(part, int):
            rest.append(f"[{part + 1}]")
        cur = cur.get(part) if isinstance(cur, dict) else None
        i += 1
    field = ".".join(rest).replace(".[", "[")
    return ", ".join([*names, field] if field else names) or "tệp"


# pydantic's error types in Vietnamese: {given} is the value written in the file, {limit} the bound, {choices} the
# allowed words, {tag} a rule's kind. A type not listed keeps pydantic's English message.
MESSAGES = {
    "extra_forbidden": "trường không hợp lệ (tên có dấu phẩy phải đặt trong ngoặc kép)",
    "missing": "thiếu trường bắt buộc",
    "literal_error": "'{given}' không hợp lệ, chỉ dùng: {choices}",
    "union_tag_invalid": "kind '{tag}' không hợp lệ, chỉ dùng: {choices}",
    "union_tag_not_found": "thiếu kind",
    "float_type": "'{given}' phải là số",
    "float_parsing": "'{given}' phải là số",
    "int_type": "'{given}' phải là số nguyên",
    "int_parsing": "'{given}' phải là số nguyên",
    "int_from_float": "'{given}' phải là số nguyên",
    "string_type": "{given!r} phải là chuỗi (văn bản)",
    "bool_type": "'{given}' phải là true hoặc false",
    "date_type": "'{given}' phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "'{given}' phải là ngày dạng YYYY-MM-DD",
    "list_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khóa: giá trị",
    "model_type": "phải là một bảng khóa: giá trị",
    "model_attributes_type": "phải là một bảng khóa: giá trị",
    "too_short": "cần ít nhất {limit} phần tử",
    "too_long": "chỉ được tối đa {limit} phần tử",
    "string_too_short": "không được để trống",
    "greater_than": "'{given}' phải lớn hơn {limit}",
    "greater_than_equal": "'{given}' phải lớn hơn hoặc bằng {limit}",
    "less_than": "'{given}' phải nhỏ hơn {limit}",
    "less_than_equal": "'{given}' phải nhỏ hơn hoặc bằng {limit}",
}


def _message(error: ErrorDetails) -> str:
    """A pydantic error in Vietnamese."""
    template = MESSAGES.get(error["type"])
    if template is None:
        return str(error.get("msg", error["type"]))
    ctx = error.get("ctx") or {}
    limit = next((ctx[k] for k in ("gt", "ge", "lt", "le", "min_length", "max_length") if k in ctx), "")
    choices = str(ctx.get("expected") or ctx.get("expected_tags") or "").replace(" or ", " hoặc ")
    return template.format(
        given=error.get("input"), tag=ctx.get("tag"), choices=choices, limit=f"{limit:g}" if isinstance(limit, float) else limit
    )


def schema_problems(error: ValidationError, data: Any, root: yaml.Node | None) -> list[str]:
    """One Vietnamese sentence per pydantic error: 'dòng N, <where>: <what is wrong>'."""
    problems = []
    seen: set[tuple[int | None, str]] = set()
    for e in error.errors(include_url=False):
        loc = tuple(e["loc"])
        if e["type"] == "missing":  # the missing key has no line: point at the mapping that lacks it
            line = line_of(root, loc[:-1])
            text = f"{_what(data, loc[:-1])}: thiếu trường {loc[-1]}"
        elif e["type"] == "extra_forbidden":
            line = line_of(root, loc, key=True)
            text = f"{_what(data, loc[:-1])}: trường không hợp lệ '{loc[-1]}' (tên có dấu phẩy phải đặt trong ngoặc kép)"
        else:
            line = line_of(root, loc)
            text = f"{_what(data, loc)}: {_message(e)}"
        if (line, text) not in seen:  # a union reports the same fault once per branch
            seen.add((line, text))
            problems.append(f"dòng {line}, {text}" if line else text)
    return problems


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """(data, node tree) of a YAML file; the node tree gives each value's line."""
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f"dòng {mark.line + 1}, " if mark is not None else ""
        raise SchemaProblems(path, [f"{where}không đọc được tệp YAML: {err.problem}"]) from None
    except (OSError, yaml.YAMLError) as err:
        raise SchemaProblems(path, [f"không đọc được tệp: {err}"]) from None


def read_model(path: Path, model: type[M]) -> tuple[M, yaml.Node | None]:
    """A file read and checked against its model: (the model, the node tree for the loaders' own line numbers)."""
    data, root = read_yaml(path)
    if not isinstance(data, dict):
        raise SchemaProblems(path, ["tệp phải là một bảng khóa: giá trị"])
    try:
        parsed = model.model_validate(data)
    except ValidationError as err:
        raise SchemaProblems(path, schema_problems(err, data, root)) from None
    _warn_legacy_words(path, data, root)
    return parsed, root


def _warn_legacy_words(path: Path, data: dict[str, Any], root: yaml.Node | None) -> None:
    # `linear` named two formulas (QĐ 766: max × R/100; PAR/DTI: max × min(1, R/target)): still read, but say so.
    for gi, group in enumerate(data.get("groups") or []):
        for ii, ind in enumerate(group.get("indicators") or []):
            if ind.get("rule") == LEGACY_RULE_WORD:
                line = line_of(root, ("groups", gi, "indicators", ii, "rule"))
                warnings.warn(
                    f"{path.name}, dòng {line}: 'rule: linear' là tên cũ, hãy đổi thành 'rule: proportional' "
                    "(điểm = tối đa × tỷ lệ/100)",
                    MethodologyDeprecation,
                    stacklevel=3,
                )
    for ni, node in enumerate(data.get("nodes") or []):
        if isinstance(node.get("rule"), dict) and node["rule"].get("kind") == LEGACY_RULE_WORD:
            line = line_of(root, ("nodes", ni, "rule", "kind"))
            warnings.warn(
                f"{path.name}, dòng {line}: 'kind: linear' là tên cũ, hãy đổi thành 'kind: target' "
                "(điểm = tối đa × min(1, giá trị/target))",
                MethodologyDeprecation,
                stacklevel=3,
            )


# --- the JSON schemas ---------------------------------------------------------------------------------------


def schema_text(model: type[Strict]) -> str:
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path = SCHEMA_DIR) -> list[Path]:
    """Write the JSON schema of every kind of methodology file; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (model, _) in SCHEMAS.items():
        target = folder / name
        target.write_text(schema_text(model), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":  # make methodology-schema
    for written_path in write_schemas():
        print(written_path.relative_to(METHODOLOGY_DIR.parent))
