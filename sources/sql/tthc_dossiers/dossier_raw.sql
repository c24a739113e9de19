-- Every scanned row with its file and its line in the received file (header = line 1). Only the (rare) files with
-- malformed lines take the ASOF join, which sorts: the clean ones stay a plain hash join.
-- fragment selected: the kept columns and _unreadable, as i.<column>.
CREATE OR REPLACE TEMP VIEW _dossier_raw AS
SELECT
    i.file_id,
    (i.idx + 2)::INTEGER AS line,
    {{ selected }}
FROM (
    SELECT
        s.*,
        f.file_id,
        s.rowid - f.first_rowid AS idx
    FROM _scan AS s INNER JOIN _starts AS f ON f.path = s.filename
    WHERE NOT f.has_malformed
) AS i
UNION ALL
SELECT
    i.file_id,
    (i.idx + 2 + coalesce(c.shift, 0))::INTEGER AS line,
    {{ selected }}
FROM (
    SELECT
        s.*,
        f.file_id,
        s.rowid - f.first_rowid AS idx
    FROM _scan AS s INNER JOIN _starts AS f ON f.path = s.filename
    WHERE f.has_malformed
) AS i
ASOF LEFT JOIN _shifts AS c ON c.file_id = i.file_id AND c.at_idx <= i.idx
