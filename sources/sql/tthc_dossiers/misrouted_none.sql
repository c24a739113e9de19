-- No row of the batch points to another province: no misrouted row.
CREATE OR REPLACE TEMP TABLE _misrouted_rows (file_id INTEGER, pos BIGINT, reason VARCHAR, value VARCHAR)
