-- The line in the received file (header = line 1) of the row at scan position p of file fid: its place among the
-- file's rows + 2, plus the malformed lines before it (from position at_idx on, lines shift by `shift`).
-- (noqa: sqlfluff reads the macro's parameters as types.)
CREATE OR REPLACE TEMP MACRO _line(fid, p) AS (  -- noqa: CP05
    p - (
        SELECT s.first_pos FROM _starts AS s
        WHERE s.file_id = fid
    ) + 2 + coalesce((
        SELECT max(c.shift) FROM _shifts AS c
        WHERE
            c.file_id = fid
            AND c.at_idx <= p - (
                SELECT s.first_pos FROM _starts AS s
                WHERE s.file_id = fid
            )
    ), 0)
)::INTEGER
