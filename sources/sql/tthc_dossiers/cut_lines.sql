-- The loaded lines whose receiving centre is longer than $centre_limit characters (cut in dossier_good): file and line.
SELECT
    t.file_name,
    _line(t.file_id, t.pos) AS line
FROM _dossier_rows AS t
WHERE
    length(t.receiving_centre) > $centre_limit
    AND NOT EXISTS (
        SELECT 1 FROM _row_rejects AS x
        WHERE x.file_id = t.file_id AND x.pos = t.pos
    )
ORDER BY 1, 2
