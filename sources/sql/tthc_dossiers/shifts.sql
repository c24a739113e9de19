-- Line = position in the file + 2, plus the lines without a row of their own before it (malformed lines, and the
-- blank lines and further lines of a value spanning lines: _gaps): positions at_idx to to_idx (NULL: to the end)
-- shift by `shift`. Only files with such lines have rows here.
CREATE OR REPLACE TEMP TABLE _shifts AS
SELECT
    file_id,
    at_idx,
    lead(at_idx) OVER (PARTITION BY file_id ORDER BY at_idx) - 1 AS to_idx,
    shift
FROM (
    SELECT
        file_id,
        at_idx,
        max(shift) AS shift
    FROM (
        SELECT
            file_id,
            row_number() OVER (PARTITION BY file_id ORDER BY line) AS shift,
            line - 2 - (row_number() OVER (PARTITION BY file_id ORDER BY line) - 1) AS at_idx
        FROM (
            SELECT
                file_id,
                line
            FROM _malformed
            UNION ALL
            SELECT
                file_id,
                line
            FROM _gaps
        ) AS lines_without_row
    ) AS m
    GROUP BY ALL
) AS s
