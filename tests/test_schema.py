"""The warehouse schema: a warehouse built by an earlier version gains the new columns without losing rows."""

import duckdb

from warehouse.schema import TABLES, ensure_schema


def test_ensure_schema_adds_new_columns_to_an_old_warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute("CREATE TABLE dim_procedure (procedure_code VARCHAR PRIMARY KEY, procedure_name VARCHAR NOT NULL, "
                "field VARCHAR, authority_level VARCHAR NOT NULL, online_level VARCHAR NOT NULL, fee_bearing BOOLEAN NOT NULL, "
                "source_file VARCHAR, source_row INTEGER)")
    con.execute("INSERT INTO dim_procedure VALUES ('1.000001', 'Thủ tục', NULL, 'province', 'full', true, 'a.csv', 2)")
    ensure_schema(con)
    ensure_schema(con)  # a second pass changes nothing
    columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'dim_procedure'").fetchall()]
    assert {"owner_unit_code", "payment_integrated"} <= set(columns)
    assert con.execute("SELECT procedure_code, owner_unit_code FROM dim_procedure").fetchall() == [("1.000001", None)]
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(TABLES) <= tables
