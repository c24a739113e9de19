-- The loaded lines with something to say about them (their dossier still counts), file and line: whose ID column
-- holds something other than an ID number (no applicant key), and whose dossier code was a citizen's phone or ID
-- number, loaded as its pseudonym ($code_pattern: the mark and the start of its keyed hash).
SELECT
    t.file_name,
    _line(t.file_id, t.pos) AS line,
    t._id_unshaped AS unkeyed,
    coalesce(regexp_full_match(t.dossier_code, $code_pattern), FALSE) AS code_keyed
FROM _dossier_rows AS t
WHERE
    (t._id_unshaped OR regexp_full_match(t.dossier_code, $code_pattern))
    AND NOT EXISTS (
        SELECT 1 FROM _row_rejects AS x
        WHERE x.file_id = t.file_id AND x.pos = t.pos
    )
ORDER BY 1, 2
