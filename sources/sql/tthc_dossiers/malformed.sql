-- One row per broken line (DuckDB reports one per missing column). Only the line number and error kind are kept:
-- the line itself may hold personal data.
CREATE OR REPLACE TEMP TABLE _malformed AS
SELECT
    p.file_id,
    r.line::INTEGER AS line,
    min(r.error_type)::VARCHAR AS error
FROM _csv_rejects AS r INNER JOIN _csv_scans AS s USING (scan_id, file_id) INNER JOIN _paths AS p ON p.path = s.file_path
GROUP BY ALL
