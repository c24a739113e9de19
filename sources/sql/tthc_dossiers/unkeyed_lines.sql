-- The loaded lines whose ID column holds something other than an ID number (no applicant key): file and line.
SELECT
    t.file_name,
    _line(t.file_id, t.pos) AS line
FROM _dossier_rows AS t
WHERE
    t._id_unshaped
    AND NOT EXISTS (
        SELECT 1 FROM _row_rejects AS x
        WHERE x.file_id = t.file_id AND x.pos = t.pos
    )
ORDER BY 1, 2
