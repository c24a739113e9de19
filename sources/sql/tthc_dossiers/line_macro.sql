-- The line in the received file (header = line 1) of the row at scan position p of file fid: its place among the
-- file's rows + 2, plus the malformed lines before it (_shifts). For the few rows quoted (quarantine, copies); the
-- good rows take the same sum as a join (dossier_good). (noqa: sqlfluff reads the macro's parameters as types.)
CREATE OR REPLACE TEMP MACRO _line(fid, p) AS (  -- noqa: CP05
    (
        SELECT
            p - s.first_pos + 2 + coalesce((
                SELECT c.shift FROM _shifts AS c
                WHERE c.file_id = s.file_id AND p - s.first_pos BETWEEN c.at_idx AND coalesce(c.to_idx, p)
            ), 0)
        FROM _starts AS s
        WHERE s.file_id = fid
    )
)::INTEGER
