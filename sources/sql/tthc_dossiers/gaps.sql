-- The lines without a row of their own that DuckDB does not report (blank lines, further lines of a value spanning
-- lines), by their line in the file; and the malformed lines whose number DuckDB counted otherwise (see _place_lines).
CREATE OR REPLACE TEMP TABLE _gaps (file_id INTEGER, line INTEGER)
