"""The warehouse schema: a warehouse built by an earlier version gains the new columns without losing rows."""

import duckdb

from warehouse.schema import TABLES, ensure_schema


def test_ensure_schema_adds_new_columns_to_an_old_warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(
        "CREATE TABLE dim_procedure (procedure_code VARCHAR PRIMARY KEY, procedure_name VARCHAR NOT NULL, "
        "field VARCHAR, authority_level VARCHAR NOT NULL, online_level VARCHAR NOT NULL, fee_bearing BOOLEAN NOT NULL, "
        "source_file VARCHAR, source_row INTEGER)"
    )
    con.execute("INSERT INTO dim_procedure VALUES ('1.000001', 'Thủ tục', NULL, 'province', 'full', true, 'a.csv', 2)")
    ensure_schema(con)
    ensure_schema(con)  # a second pass changes nothing
    columns = [
        r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'dim_procedure'").fetchall()
    ]
    assert {"owner_unit_code", "payment_integrated"} <= set(columns)
    assert con.execute("SELECT procedure_code, owner_unit_code FROM dim_procedure").fetchall() == [("1.000001", None)]
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(TABLES) <= tables


def uncommented(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(schema, table or view, column) of every user column without a comment."""
    return con.execute("""SELECT schema_name, table_name, column_name FROM duckdb_columns()
                          WHERE NOT internal AND database_name = current_database()
                            AND (comment IS NULL OR trim(comment) = '') ORDER BY ALL""").fetchall()


def test_every_column_of_every_table_and_view_has_a_comment() -> None:
    with duckdb.connect() as con:
        ensure_schema(con)
        assert uncommented(con) == []
        assert con.execute("SELECT count(*) FROM duckdb_columns() WHERE NOT internal").fetchall()[0][0] > 500


def test_renamed_columns_keep_their_data_and_old_names_live_in_compat(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("""CREATE TABLE mart_qd766_unit (period_label VARCHAR, unit_code VARCHAR, unit_name VARCHAR,
                   ranking_group VARCHAR, total_score DOUBLE, rank INTEGER)""")  # as built before the rename
    con.execute("INSERT INTO mart_qd766_unit VALUES ('2026-Y', '05443', 'Phường Phan Đình Phùng', 'local', 80.5, 1)")
    ensure_schema(con)
    ensure_schema(con)
    assert con.execute("SELECT total FROM mart_qd766_unit").fetchall() == [(80.5,)]
    assert "total_score" not in {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'mart_qd766_unit'"
        ).fetchall()
    }
    con.execute("SET search_path = 'compat,main'")  # an analyst's query written for the old names runs unchanged
    assert con.execute("SELECT total_score, unit_name FROM mart_qd766_unit").fetchall() == [(80.5, "Phường Phan Đình Phùng")]
    assert con.execute("SELECT count(*) FROM mart_dti_unit WHERE level IS NULL").fetchall() == [(0,)]
    assert uncommented(con) == []
    con.close()


def test_sort_key_puts_d_with_stroke_after_d_not_after_y() -> None:
    from warehouse.labels import label_units

    with duckdb.connect() as con:
        ensure_schema(con)
        names = ["Xã Yên Bình", "Phường Đức Xuân", "Xã Dân Tiến", "Xã Ân Thịnh", "Xã An Khánh", "Phường Bắc Kạn"]
        for i, name in enumerate(names):
            con.execute(
                "INSERT INTO dim_unit (unit_code, unit_name, unit_group, group_label, ranking_group, province, "
                "sort_order) VALUES (?, ?, 'ward', 'Phường', 'local', 'Thái Nguyên', ?)",
                [f"U{i}", name, i],
            )
            con.execute(
                "INSERT INTO mart_dti_pillar (year, unit_code, pillar, name, value) VALUES (2026, ?, 'cqs', "
                "'Chính quyền số', 0.5)",
                [f"U{i}"],
            )
        label_units(con, "mart_dti_pillar")
        ordered = [r[0] for r in con.execute("SELECT unit_name FROM mart_dti_pillar ORDER BY sort_key").fetchall()]
        assert ordered == ["Phường Bắc Kạn", "Phường Đức Xuân", "Xã An Khánh", "Xã Ân Thịnh", "Xã Dân Tiến", "Xã Yên Bình"]
        plain = [r[0] for r in con.execute("SELECT unit_name FROM mart_dti_pillar ORDER BY unit_name").fetchall()]
        assert plain.index("Xã Ân Thịnh") > plain.index("Xã Dân Tiến")  # code-point order, what sort_key is for


def test_an_analyst_finds_a_unit_by_its_name_typed_without_diacritics(tmp_path) -> None:
    # strip_accents keeps 'Đ': lower(strip_accents('Xã Đại Phúc')) LIKE '%dai phuc%' found nothing. A warehouse built
    # before search_name gains the column and has it filled at the next labelling (every publication does it).
    from warehouse.labels import label_units

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("""CREATE TABLE dim_unit (unit_code VARCHAR PRIMARY KEY, unit_name VARCHAR NOT NULL,
                   unit_group VARCHAR NOT NULL, group_label VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL,
                   province VARCHAR NOT NULL, portal_code VARCHAR, aliases VARCHAR[], sort_order INTEGER NOT NULL,
                   master_source VARCHAR, portal_department_id VARCHAR, sort_key VARCHAR)""")
    for i, name in enumerate(["Xã  Đại Phúc", "Phường Đức Xuân", "Xã Đại Từ", "Xã Phú Bình"]):
        con.execute(
            "INSERT INTO dim_unit (unit_code, unit_name, unit_group, group_label, ranking_group, province, sort_order) "
            "VALUES (?, ?, 'commune', 'Xã', 'local', 'Thái Nguyên', ?)",
            [f"U{i}", name, i],
        )
    ensure_schema(con)
    label_units(con)
    found = con.execute("SELECT unit_name, search_name FROM dim_unit WHERE search_name LIKE '%dai phuc%'").fetchall()
    assert found == [("Xã  Đại Phúc", "xa dai phuc")]
    assert con.execute("SELECT search_name FROM dim_unit WHERE unit_code = 'U1'").fetchall() == [("phuong duc xuan",)]
    assert con.execute("SELECT count(*) FROM dim_unit WHERE search_name LIKE 'xa dai%'").fetchall() == [(2,)]
    assert uncommented(con) == []
    con.close()


def test_loading_the_master_data_fills_search_name() -> None:
    from common.units import load_units
    from warehouse import tthc

    with duckdb.connect() as con:
        ensure_schema(con)
        tthc.load_units(con, load_units("Thái Nguyên"))
        assert con.execute("SELECT count(*) FROM dim_unit WHERE search_name IS NULL").fetchall() == [(0,)]
        found = con.execute("SELECT unit_name FROM dim_unit WHERE search_name LIKE '%dai phuc%'").fetchall()
        assert found == [("Xã Đại Phúc",)]


def test_the_office_order_is_described_as_the_reviewed_list_it_comes_from() -> None:
    # The comment said 'thứ tự theo bảng chữ cái' while Văn phòng Sở is 0 and Phòng Chuyển đổi số 1.
    from common.units import load_offices
    from warehouse.labels import label_units
    from warehouse.tasks import load_offices as write_offices

    offices = load_offices("Thái Nguyên")
    with duckdb.connect() as con:
        ensure_schema(con)
        write_offices(con, offices)
        label_units(con)
        by_order = [r[0] for r in con.execute("SELECT office_name FROM dim_office ORDER BY sort_order").fetchall()]
        assert by_order == [o.name for o in offices] and by_order[0] == "Văn phòng Sở"
        by_key = [r[0] for r in con.execute("SELECT office_name FROM dim_office ORDER BY sort_key").fetchall()]
        assert by_order != by_key  # not alphabetical: the comment must not say it is
        (comment,) = con.execute("""SELECT comment FROM duckdb_columns()
                                    WHERE table_name = 'dim_office' AND column_name = 'sort_order'""").fetchone()
        assert "masterdata/offices" in comment and "không theo bảng chữ cái" in comment and "sort_key" in comment
