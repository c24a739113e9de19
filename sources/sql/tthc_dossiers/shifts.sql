-- Line = position in the file + 2, plus the malformed lines before it: positions at_idx to to_idx (NULL: to the end)
-- shift by `shift`. Only files with malformed lines have rows here.
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
        FROM _malformed
    ) AS m
    GROUP BY ALL
) AS s
