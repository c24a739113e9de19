"""The publication gate: the latest result of every blocking check, per scope, kept in the warehouse itself.

Dagster's blocking checks hold back what follows them in their own run only; data a check refused stays in the
build file, and the next run of another job (the yearly indices, a month) would publish it. Each blocking check
records its result here, and the analysts' snapshot is refused while any scope's latest result failed (a restore
brings back the gate with the data it describes). Rerunning the scope once its input is mended clears it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

from warehouse.landing import transaction

WHOLE_WAREHOUSE = "kho"  # the scope of a check over the whole warehouse (no partition)
# The detail of a scope whose check began and did not record its result (an error in the check, a killed run).
UNFINISHED = "kiểm tra chưa chạy xong (lỗi trong lúc kiểm tra hoặc lần chạy bị dừng): chạy lại phạm vi này."


def record_gate(
    con: duckdb.DuckDBPyConnection, check_name: str, scopes: Sequence[str], passed: bool, detail: str | None, now: datetime
) -> None:
    """Replace the gate rows of ``check_name`` for ``scopes`` with this result."""
    if not scopes:
        return
    with transaction(con):  # both or neither: killed between them, a failure would vanish
        write_gate_rows(con, check_name, [(scope, passed, detail) for scope in scopes], now)


def write_gate_rows(
    con: duckdb.DuckDBPyConnection, check_name: str, rows: Sequence[tuple[str, bool, str | None]], now: datetime
) -> None:
    """Replace the gate rows of ``check_name`` for each (scope, passed, detail), inside the caller's transaction: a
    loader marks its scopes in the transaction of its load, so the data and its mark are committed together."""
    if not rows:
        return
    con.execute("DELETE FROM quality_gate WHERE check_name = ? AND list_contains(?, scope)", [check_name, [r[0] for r in rows]])
    con.executemany(
        "INSERT INTO quality_gate (check_name, scope, passed, detail, checked_at) VALUES (?, ?, ?, ?, ?)",
        [[check_name, scope, passed, None if passed else detail, now] for scope, passed, detail in rows],
    )


def unfinished_scopes(con: duckdb.DuckDBPyConnection, check_name: str) -> list[str]:
    """The scopes whose latest result of ``check_name`` is the mark of a check that never finished (a killed run)."""
    rows = con.execute(
        "SELECT scope FROM quality_gate WHERE check_name = ? AND NOT passed AND detail = ? ORDER BY scope",
        [check_name, UNFINISHED],
    ).fetchall()
    return [r[0] for r in rows]


# The blocking checks whose data each workbook for officials reads (the analysts' snapshot waits for every one): a
# failure of another check does not hold it back. The names are those the checks record (checks/*.py).
DOSSIER_CHECKS = ("tthc_versions_suite", "current_state_unique", "current_state_refreshed", "single_pii_secret")
QD766_CHECKS = (*DOSSIER_CHECKS, "qd766_month_scores_valid", "qd766_quarter_scores_valid", "qd766_year_scores_valid")
PAR_CHECKS = (*QD766_CHECKS, "par_scores_valid")  # the PAR index reads the dossiers' rates and the QĐ 766 marts
DTI_CHECKS = (*DOSSIER_CHECKS, "dti_inputs_kept", "dti_values_valid")


def gate_failures(con: duckdb.DuckDBPyConnection, checks: Sequence[str] | None = None) -> list[tuple[str, str, str | None]]:
    """(check, scope, what failed and what to do) of every scope whose latest blocking check (of ``checks``; None:
    any) failed."""
    rows = con.execute(
        "SELECT check_name, scope, detail FROM quality_gate WHERE NOT passed ORDER BY check_name, scope"
    ).fetchall()
    return rows if checks is None else [r for r in rows if r[0] in checks]


def failed_scopes(con: duckdb.DuckDBPyConnection, check_name: str) -> list[tuple[str, str, str | None]]:
    """``gate_failures`` of one check."""
    return gate_failures(con, (check_name,))


SNAPSHOT = "bản chụp cho chuyên viên phân tích"


def refusal_text(failures: list[tuple[str, str, str | None]], output: str = SNAPSHOT) -> str:
    """Why a publication (``output``: the snapshot, a workbook, a report) is refused, in Vietnamese, naming each failed
    check and scope (the first 10)."""
    lines = [f"- {check} ({scope}): {detail or 'không đạt'}" for check, scope, detail in failures[:10]]
    more = f"\n- … và {len(failures) - 10} phạm vi khác (bảng quality_gate)" if len(failures) > 10 else ""
    then = (
        "khi mọi kiểm tra đạt, lần chạy sau sẽ công bố"
        if output == SNAPSHOT
        else "khi các kiểm tra đó đạt, chạy lại bước này (hoặc chờ lần chạy định kỳ kế tiếp có bước này)"
    )
    return (
        f"Chưa công bố {output}: dữ liệu nó dùng còn kiểm tra chặn không đạt (dữ liệu đó vẫn nằm trong kho đang xây). Sửa "
        f"dữ liệu đầu vào của từng phạm vi dưới đây rồi chạy lại đúng phạm vi đó; {then} (bảng kiểm tra chất lượng dữ "
        "liệu vẫn được lập, để thấy lỗi).\n" + "\n".join(lines) + more
    )
