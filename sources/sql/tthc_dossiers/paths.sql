-- The path DuckDB scans for each file: the received file, or its normalised copy.
CREATE OR REPLACE TEMP TABLE _paths (file_id INTEGER, path VARCHAR)
