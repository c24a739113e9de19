-- The scanned rows with their place in the scan (pos), verbatim copies and records without any value left
-- out (they are counted or named, not loaded or checked), each with its file's facts and its unit's code: what
-- every rule and the load read.
CREATE OR REPLACE TEMP VIEW _dossier_rows AS
SELECT
    t.rowid AS pos,
    t.*,
    f.export_date,
    f.file_name,
    u.value AS resolving_unit_code
FROM _dossier_typed AS t INNER JOIN _files AS f ON t.file_id = f.file_id
LEFT JOIN _lookup_unit AS u ON t.resolving_unit_raw = u.raw
WHERE NOT EXISTS (
        SELECT 1 FROM _verbatim AS v
        WHERE v.file_id = t.file_id AND v.pos = t.rowid
    )
    AND NOT EXISTS (
        SELECT 1 FROM _blank AS b
        WHERE b.file_id = t.file_id AND b.pos = t.rowid
    )
