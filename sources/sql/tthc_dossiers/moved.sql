-- A malformed line's number as DuckDB counted it, and its line in the file.
CREATE OR REPLACE TEMP TABLE _moved (file_id INTEGER, line INTEGER, physical INTEGER)
