-- No readable file: the scan's shape, no rows (fragment empty_columns: the kept columns as NULL::VARCHAR).
CREATE OR REPLACE TEMP TABLE _scan AS
SELECT
    {{ empty_columns }},
    NULL::VARCHAR AS filename,
    FALSE AS _unreadable
WHERE FALSE
