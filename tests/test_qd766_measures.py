"""The QĐ 766 index from warehouse rows written by hand: every count measured in SQL and every point checked against
values worked out by hand from methodology §3.3 (working days with Vietnamese holidays from the library)."""

from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from common.periods import parse_period
from common.units import load_units
from scoring.qd766 import methodology_for
from warehouse import qd766 as store
from warehouse.schema import ensure_schema
from warehouse.tthc import load_units as load_unit_rows

M = methodology_for(date(2026, 1, 1))
AS_OF = datetime(2026, 3, 31, 23, 59, 59)
WARD, OTHER_WARD, AGENCY = "05443", "05665", "19.STP"
E_COPY = "Chứng thực bản sao điện tử từ bản chính"

PROCEDURES = [  # code, name, level, online, fee, owner, integrated
    ("1.0001", "Cấp phiếu lý lịch tư pháp", "province", "full", True, AGENCY, True),
    ("1.0002", "Cấp giấy phép hành nghề", "province", "none", True, AGENCY, False),
    ("1.0003", "Thủ tục của Sở Nội vụ", "province", "partial", False, "19.SNV", False),
    ("2.0001", "Đăng ký khai sinh", "commune", "partial", True, None, True),
    ("2.0002", E_COPY, "commune", "full", True, None, True),
    ("2.0003", "Xác nhận tình trạng hôn nhân", "commune", "none", False, None, False),
]
T = datetime


def D(
    code,
    proc,
    unit,
    channel,
    received,
    due,
    completed,
    status,
    supplements=0,
    digitised=False,
    e_result=False,
    fee=0,
    paid=False,
    reused=False,
    citizen=False,
    synced=False,
    rating=None,
):
    return dict(
        dossier_code=code,
        procedure_code=proc,
        resolving_unit_code=unit,
        channel=channel,
        received_at=received,
        due_at=due,
        completed_at=completed,
        status=status,
        supplement_requests=supplements,
        digitised=digitised,
        electronic_result=e_result,
        fee_due=fee,
        paid_online=paid,
        reused_data=reused,
        citizen_data_used=citizen,
        synced_to_portal=synced,
        satisfaction=rating,
    )


DOSSIERS = [
    D(
        "D1",
        "2.0001",
        WARD,
        "online",
        T(2026, 3, 2, 8),
        T(2026, 3, 5, 17),
        T(2026, 3, 4, 10),
        "completed",
        digitised=True,
        e_result=True,
        fee=20000,
        paid=True,
        reused=True,
        citizen=True,
        synced=True,
        rating="satisfied",
    ),
    D(
        "D2",
        "2.0001",
        WARD,
        "direct",
        T(2026, 3, 3, 8),
        T(2026, 3, 6, 17),
        T(2026, 3, 10, 8),
        "completed",  # late
        digitised=True,
        fee=20000,
        synced=True,
        rating="dissatisfied",
    ),
    D(
        "D3",
        "2.0003",
        WARD,
        "direct",
        T(2026, 3, 25, 8),
        T(2026, 4, 5, 17),
        None,
        "processing",  # not yet due
        citizen=True,
        synced=True,
    ),
    D(
        "D4",
        "2.0003",
        WARD,
        "direct",
        T(2026, 3, 5, 8),
        T(2026, 3, 20, 17),
        None,
        "processing",
        1,  # overdue
        digitised=True,
    ),
    D(
        "D5",
        "2.0001",
        WARD,
        "online",
        T(2026, 3, 6, 8),
        T(2026, 3, 12, 17),
        T(2026, 3, 11, 8),
        "returned",
        2,  # 2 requests
        digitised=True,
        e_result=True,
        fee=20000,
        paid=True,
        reused=True,
        synced=True,
    ),
    # withdrawn, and disliked: out of 5.4 as out of its denominator (counted, its dislike took a point from the rest)
    D("D6", "2.0003", WARD, "direct", T(2026, 3, 9, 8), T(2026, 3, 12, 17), None, "withdrawn", rating="dissatisfied"),
    D(
        "D7",
        "2.0002",
        WARD,
        "online",
        T(2026, 3, 16, 8),
        T(2026, 3, 16, 17),
        T(2026, 3, 16, 15),
        "completed",
        digitised=True,
        e_result=True,
        fee=2000,
        paid=True,
        citizen=True,
        synced=True,
    ),
    D(
        "D8",
        "2.0003",
        WARD,
        "direct",
        T(2026, 1, 12, 8),
        T(2026, 1, 15, 17),
        T(2026, 1, 14, 8),
        "completed",
        citizen=True,
        synced=True,
    ),
    D(
        "D9",
        "1.0001",
        AGENCY,
        "online",
        T(2026, 3, 2, 8),
        T(2026, 3, 20, 17),
        T(2026, 3, 19, 8),
        "completed",
        digitised=True,
        e_result=True,
        fee=50000,
        paid=True,
        synced=True,
    ),
]

PETITIONS = [  # code, unit, received, handling, due (15 / 2 working days), completed, rating
    ("PK1", WARD, T(2026, 3, 2, 9), "answer", T(2026, 3, 20, 23, 59, 59), T(2026, 3, 10, 9), "satisfied"),
    ("PK2", WARD, T(2026, 3, 3, 9), "refusal", T(2026, 3, 5, 23, 59, 59), T(2026, 3, 9, 9), "dissatisfied"),
    ("PK3", WARD, T(2026, 3, 30, 9), "answer", T(2026, 4, 20, 23, 59, 59), None, None),
]

PUBLICATIONS = [  # decision date, effective date of the legal basis, made public, parts complete
    (date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 5), 7),  # 5 working days before: on time
    (date(2026, 3, 2), date(2026, 3, 6), None, 6),  # too late; not public by 9/3; a part missing
    # Decided Fri 13/2 before Tết (16-20/2): 5 working days later is 27/2, after the effective date 25/2.
    (date(2026, 2, 13), date(2026, 2, 25), date(2026, 2, 24), 7),
]


def _insert_dossiers(con, dossiers: list[dict]) -> None:
    """Current states of hand-made dossiers (one version each, exported last on AS_OF) into fct_dossier."""
    for d in dossiers:
        columns = {
            **d,
            "is_finished": d["status"] in ("completed", "returned", "refused", "withdrawn"),
            # as insert_current_state.sql judges a finished dossier (its refusal case: tests/test_tthc_ingest.py)
            "finished_on_time": d["completed_at"] <= d["due_at"] if d["completed_at"] is not None else None,
            "updated_at": d["completed_at"] or d["received_at"],
            "first_export_date": d["received_at"].date(),
            "last_export_date": AS_OF.date(),
            "version_count": 1,
        }
        con.execute(
            f"INSERT INTO fct_dossier ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", list(columns.values())
        )


@pytest.fixture()
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    load_unit_rows(con, tuple(u for u in load_units("Thái Nguyên") if u.code in (WARD, OTHER_WARD, AGENCY)))
    con.executemany(
        """INSERT INTO dim_procedure (procedure_code, procedure_name, authority_level, online_level, fee_bearing,
                       owner_unit_code, payment_integrated) VALUES (?, ?, ?, ?, ?, ?, ?)""",
        PROCEDURES,
    )
    _insert_dossiers(con, DOSSIERS)
    con.executemany(
        """INSERT INTO fct_petition (petition_code, unit_code, received_at, category, handling, due_at,
                       completed_at, satisfaction, repeated, source_file, source_row)
                       VALUES (?, ?, ?, 'procedure', ?, ?, ?, ?, false, 'pakn_202603.csv', 2)""",
        PETITIONS,
    )
    con.executemany(
        """INSERT INTO fct_procedure_publication (decision_number, decision_date, procedure_code,
                       legal_effective_date, made_public_date, parts_complete, source_file, source_row)
                       VALUES ('1/QĐ-UBND', ?, '2.0001', ?, ?, ?, 'cong_bo_tthc.csv', 2)""",
        PUBLICATIONS,
    )
    yield con
    con.close()


def _row(frame, period: str, unit: str) -> dict:
    return frame[(frame["period_label"] == period) & (frame["unit_code"] == unit)].iloc[0].to_dict()


def test_counts_measured_from_hand_rows(con):
    frame = store.measure_periods(con, [parse_period("2026-M03"), parse_period("2026-Q1")], M, AS_OF)
    march = _row(frame, "2026-M03", WARD)
    expected = dict(
        dossiers=7,
        received=6,  # the withdrawn D6 is out of the timeliness universe
        on_time=3,  # D1, D3 (in progress, due after the cut-off), D7; D2 late, D4 overdue, D5 two supplement requests
        completed=4,
        online_dossiers=3,
        online_formalities_with_dossiers=2,
        fee_dossiers=4,
        paid_dossiers=3,
        paid_formalities=2,
        synced=5,
        e_results=3,
        digitised=5,
        reused=2,
        personal_store=3,  # D1, D5 (a component from the store, online); D7 (an e-result synced to the portal)
        citizen_data=3,
        citizen_data_formalities=3,
        formalities_with_dossiers=3,
        dissatisfied=1,  # D2 (late and disliked); not the withdrawn D6
        petitions=3,
        petitions_on_time=2,
        petitions_satisfied=2,  # PK2 refused after its 2-day deadline and disliked
        receiving_satisfied=0,  # max(0, 3 on time - 1 dissatisfied - 3 petitions)
        formalities=3,
        online_formalities=2,
        fee_formalities=2,
        integrated_formalities=2,  # commune-level catalogue
        e_copy_offering=1,
        e_copy_units=1,
        published=2,
        publish_on_time=1,
        public_update_on_time=1,
        content_full=1,
    )
    assert {k: march[k] for k in expected} == expected
    assert march["processing_days"] == pytest.approx(2 + 2 / 24 + 7 + 5 + 7 / 24)

    quarter = _row(frame, "2026-Q1", WARD)
    assert (quarter["dossiers"], quarter["on_time"], quarter["formalities_with_dossiers"]) == (8, 4, 3)  # distinct over months
    # Tết: the February decision is 5 working days before 27/2, after the effective date: late; public in time.
    assert (quarter["published"], quarter["publish_on_time"], quarter["public_update_on_time"]) == (3, 1, 2)

    agency = _row(frame, "2026-M03", AGENCY)
    assert (agency["formalities"], agency["fee_formalities"], agency["integrated_formalities"]) == (2, 2, 1)
    assert (agency["e_copy_offering"], agency["e_copy_units"]) == (1, 2)  # communes offering / communes
    quiet = _row(frame, "2026-M03", OTHER_WARD)
    assert (quiet["dossiers"], quiet["petitions"], quiet["e_copy_offering"]) == (0, 0, 0)


def test_index_marts_from_hand_rows(con):
    con.execute(
        """INSERT INTO portal_qd766_node (file_name, endpoint, group_code, period_label, captured_at, role,
                   unit_code, matched, score) VALUES
                   ('a.json', 'provide-online-tree', 'DVCTT', '2026-M03', '2026-04-03 08:15', 'unit', ?, true, 6.0),
                   ('b.json', 'provide-online-tree', 'DVCTT', '2026-M03', '2026-04-10 08:15', 'unit', ?, true, 7.5)""",
        [WARD, WARD],
    )
    store.refresh_index(con, [parse_period("2026-M03")], M, AS_OF)
    scores = dict(
        con.execute(
            """SELECT indicator_code, score FROM mart_qd766_indicator
                                 WHERE unit_code = ? AND period_label = '2026-M03'""",
            [WARD],
        ).fetchall()
    )
    hand = {
        "1.1": 3.00,
        "1.2": 2.00,
        "1.3": 1.00,
        "1.4": 4.29,  # 6×1/2, 4×1/2, 2×1/2, 6×5/7
        "2.1": 10.00,  # 20 × 3/6
        "3": 7.5,  # the latest capture of the portal's DVCTT score
        "3.5a": 2.00,
        "3.5b": 2.00,
        "3.6": 4.50,  # 2×min(1, 100/80), idem, 6×3/4
        "5.2": 4.00,
        "5.3": 4.00,
        "5.4": 0.00,  # 6×2/3, 6×2/3, 6×min(1, 0/90)
        "4.1": 4.50,
        "4.2": 2.86,
        "4.x": 2.00,
        "4.3": 0.71,  # 6×3/4, 4×5/7, 2×1, 2×min(1, 28.57/80)
        "4.4": 1.71,  # 4 × 3/7
        "4.5b": 0.86,
        "4.5a": 2.00,
    }  # 4×2/7, 2×3/7, 2×3/3
    assert {k: scores[k] for k in hand} == hand
    unit = con.execute(
        """SELECT score_ckmb, score_tdgq, score_dvctt, score_tttt, score_mdhl, score_shhs, total,
                                 dvctt_source, rank, is_tied, units_in_group, dossiers
                          FROM mart_qd766_unit WHERE unit_code = ? AND period_label = '2026-M03'""",
        [WARD],
    ).fetchall()[0]
    assert unit == (10.29, 10.0, 7.5, 8.5, 8.0, 14.64, 58.93, "portal", 1, False, 1, 7)  # 4.4: 1.14 → 1.71 (D7's synced e-result)
    # The other ward has no portal score for DVCTT: its total is out of 88, so it is not ranked against 100.
    assert con.execute(
        """SELECT rank, evaluated_max, complete FROM mart_qd766_unit
                          WHERE unit_code = ? AND period_label = '2026-M03'""",
        [OTHER_WARD],
    ).fetchall() == [(None, 88, False)]
    agency = dict(
        con.execute(
            """SELECT indicator_code, score FROM mart_qd766_indicator
                                 WHERE unit_code = ? AND period_label = '2026-M03'""",
            [AGENCY],
        ).fetchall()
    )
    assert {k: agency[k] for k in ("3.5a", "3.5b", "3.6", "4.x", "5.2", "5.4")} == {
        "3.5a": 1.25,
        "3.5b": 1.25,
        "3.6": 6.0,
        "4.x": 1.0,
        "5.2": 6.0,
        "5.4": 6.0,
    }
    # Rerunning the period replaces its rows: same tables.
    before = con.execute("SELECT * FROM mart_qd766_unit ORDER BY unit_code").fetchall()
    store.refresh_index(con, [parse_period("2026-M03")], M, AS_OF)
    assert con.execute("SELECT * FROM mart_qd766_unit ORDER BY unit_code").fetchall() == before


def test_unknown_inputs_stay_unknown_never_zero(con):
    march = [parse_period("2026-M03")]
    # A month without its petition export: petitions unknown (not "none", which would give 6 + 6 points).
    frame = store.measure_periods(con, [parse_period("2026-M02")], M, AS_OF)
    assert frame[["petitions", "petitions_on_time", "petitions_satisfied", "receiving_satisfied"]].isna().all().all()
    con.execute("""INSERT INTO landed_files (source, file_name, partition_date, status)
                   VALUES ('pakn', 'pakn_202602.csv', '2026-02-01', 'loaded')""")  # loaded, no petitions that month
    assert (store.measure_periods(con, [parse_period("2026-M02")], M, AS_OF)["petitions"] == 0).all()

    # The e-copy procedure is found whatever the case and spacing of its name in the catalogue.
    con.execute(
        "UPDATE dim_procedure SET procedure_name = '  chứng thực  bản sao điện tử từ bản chính' WHERE procedure_code = '2.0002'"
    )
    assert _row(store.measure_periods(con, march, M, AS_OF), "2026-M03", WARD)["e_copy_offering"] == 1

    # A dossier whose sync flag is unknown, a fee-bearing procedure with no payment flag, a provincial procedure
    # with no owner, and no e-copy procedure at all.
    con.execute("UPDATE fct_dossier SET synced_to_portal = NULL WHERE dossier_code = 'D3'")
    con.execute("UPDATE dim_procedure SET payment_integrated = NULL WHERE procedure_code = '2.0001'")
    con.execute("UPDATE dim_procedure SET owner_unit_code = NULL WHERE procedure_code = '1.0003'")
    con.execute("UPDATE dim_procedure SET procedure_name = 'Chứng thực bản sao' WHERE procedure_code = '2.0002'")
    frame = store.measure_periods(con, march, M, AS_OF)
    ward, agency = _row(frame, "2026-M03", WARD), _row(frame, "2026-M03", AGENCY)
    assert pd.isna(ward["synced"]) and pd.isna(ward["integrated_formalities"]) and pd.isna(ward["e_copy_offering"])
    assert ward["fee_formalities"] == 2  # known counts stay
    assert pd.isna(agency["formalities"]) and pd.isna(agency["fee_formalities"])
    store.refresh_index(con, march, M, AS_OF)
    sources = dict(
        con.execute(
            """SELECT indicator_code, source FROM mart_qd766_indicator
                                  WHERE unit_code = ? AND period_label = '2026-M03'""",
            [WARD],
        ).fetchall()
    )
    assert sources["1.4"] == sources["3.5a"] == sources["4.x"] == "missing" and sources["3.6"] == "local"


def test_points_are_rounded_half_up_as_the_published_tables(con):
    """16 dossiers of a ward in March, 1 using the citizen's data (4.5b = 2 × 1/16 = 0.125) and 3 with an electronic
    result (4.1 = 6 × 3/16 = 1.125): 0.13 and 1.13, half up as the PAR and DTI points (scoring/rounding.py); Python's
    round() gave 0.12 and 1.12."""
    done = (T(2026, 3, 2, 8), T(2026, 3, 5, 17), T(2026, 3, 4, 10), "completed")
    _insert_dossiers(
        con,
        [D(f"R{i}", "2.0003", OTHER_WARD, "direct", *done, citizen=i == 0, e_result=i < 3) for i in range(16)],
    )
    store.refresh_index(con, [parse_period("2026-M03")], M, AS_OF)
    scores = dict(
        con.execute(
            """SELECT indicator_code, score FROM mart_qd766_indicator WHERE unit_code = ? AND period_label = '2026-M03'
               AND indicator_code IN ('4.1', '4.5b')""",
            [OTHER_WARD],
        ).fetchall()
    )
    assert scores == {"4.1": 1.13, "4.5b": 0.13}


def test_a_petition_about_staff_behaviour_is_no_dossier_with_a_petition_in_5_4(con):
    """5.4 takes out "dossiers with a petition": a petition about a civil servant's behaviour (category 'staff') counts
    in 5.1-5.3 as every petition, but names no dossier; before, each one took a dossier out of 5.4."""
    before = _row(store.measure_periods(con, [parse_period("2026-M03")], M, AS_OF), "2026-M03", OTHER_WARD)
    rows = [
        (f"PS{i}", OTHER_WARD, T(2026, 3, 2, 9), "answer", T(2026, 3, 20, 23, 59, 59), T(2026, 3, 10, 9), None) for i in range(2)
    ]
    done = (T(2026, 3, 2, 8), T(2026, 3, 5, 17), T(2026, 3, 4, 10), "completed")
    _insert_dossiers(con, [D(f"S{i}", "2.0003", OTHER_WARD, "direct", *done) for i in range(3)])
    con.executemany(
        """INSERT INTO fct_petition (petition_code, unit_code, received_at, category, handling, due_at,
                       completed_at, satisfaction, repeated, source_file, source_row)
                       VALUES (?, ?, ?, 'staff', ?, ?, ?, ?, false, 'pakn_202603.csv', 3)""",
        rows,
    )
    after = _row(store.measure_periods(con, [parse_period("2026-M03")], M, AS_OF), "2026-M03", OTHER_WARD)
    assert (before["petitions"], after["petitions"]) == (0, 2)
    assert (after["on_time"], after["procedure_petitions"], after["receiving_satisfied"]) == (3, 0, 3)


def test_an_unknown_repeated_flag_leaves_5_3_unknown_not_full(con):
    """A petition on time and not disliked whose export left 'Lặp lại' blank (or has no such column) cannot be told
    satisfied or repeated: 5.3's numerator is unknown (null ≠ 0, methodology §3.4), not a non-repeat. A late or
    disliked petition without the flag changes nothing: it is out of the numerator either way."""
    con.execute("UPDATE fct_petition SET repeated = NULL WHERE petition_code = 'PK2'")  # refused late and disliked
    march = _row(store.measure_periods(con, [parse_period("2026-M03")], M, AS_OF), "2026-M03", WARD)
    assert (march["petitions"], march["petitions_satisfied"]) == (3, 2)
    con.execute("UPDATE fct_petition SET repeated = NULL WHERE petition_code = 'PK1'")  # on time, satisfied
    march = _row(store.measure_periods(con, [parse_period("2026-M03")], M, AS_OF), "2026-M03", WARD)
    assert march["petitions"] == 3 and pd.isna(march["petitions_satisfied"])


def test_a_dossier_waiting_for_the_applicants_supplement_is_late_only_if_asked_after_its_due_date(con):
    """Methodology §3.3, 2.1: supplement time is excluded. A dossier due 5/3, asked on 4/3 for one supplement and still
    waiting on 31/3 is on time (the clock stopped on 4/3); one asked on 6/3, after its due date, was late already.
    Three dossiers finished on time beside them: 4 of 5 on time, 2.1 = 20 × 4/5 = 16.00 by hand. (A refusal without
    a completion time is judged where fct_dossier.finished_on_time is: tests/test_tthc_ingest.py.)"""
    done = (T(2026, 3, 2, 8), T(2026, 3, 5, 17), T(2026, 3, 4, 10), "completed")
    waiting = (T(2026, 3, 2, 8), T(2026, 3, 5, 17), None, "awaiting_supplement", 1)
    rows = [D(f"W{i}", "2.0003", OTHER_WARD, "direct", *done) for i in range(3)]
    rows += [D("WA", "2.0003", OTHER_WARD, "direct", *waiting), D("WB", "2.0003", OTHER_WARD, "direct", *waiting)]
    _insert_dossiers(con, rows)
    con.execute("UPDATE fct_dossier SET supplement_requested_at = TIMESTAMP '2026-03-04 09:00' WHERE dossier_code = 'WA'")
    con.execute("UPDATE fct_dossier SET supplement_requested_at = TIMESTAMP '2026-03-06 09:00' WHERE dossier_code = 'WB'")
    row = _row(store.measure_periods(con, [parse_period("2026-M03")], M, AS_OF), "2026-M03", OTHER_WARD)
    assert (row["received"], row["on_time"]) == (5, 4)


def test_a_payment_flagged_without_a_fee_is_not_counted_and_a_unit_of_withdrawn_dossiers_is_not_ranked(con):
    """3.6 counts the dossiers with a fee paid online: P2 (no fee, flagged paid) made 1/1 of P1's fee, 6 points for
    nothing paid (by hand: 0 of 1 fee dossier paid online, 6 × 0 = 0). A unit whose only dossiers were withdrawn
    received none that counts: it is not ranked (it was, as a collapse)."""
    con.execute("DELETE FROM fct_dossier")  # (these rows alone)
    march = (T(2026, 3, 2, 8), T(2026, 3, 5, 17), T(2026, 3, 4, 10), "completed")
    rows = [
        D("P1", "2.0003", OTHER_WARD, "online", *march, fee=50_000, paid=False),
        D("P2", "2.0003", OTHER_WARD, "online", *march, fee=0, paid=True),
        D("X1", "2.0003", WARD, "direct", T(2026, 3, 2, 8), T(2026, 3, 5, 17), None, "withdrawn"),
    ]
    _insert_dossiers(con, rows)
    row = _row(store.measure_periods(con, [parse_period("2026-M03")], M, AS_OF), "2026-M03", OTHER_WARD)
    assert (row["fee_dossiers"], row["paid_dossiers"]) == (1, 0)
    store.refresh_index(con, [parse_period("2026-M03")], M, AS_OF)
    ranks = dict(con.execute("SELECT unit_code, rank FROM mart_qd766_unit WHERE period_label = '2026-M03'").fetchall())
    assert ranks[WARD] is None and ranks[OTHER_WARD] == 1
