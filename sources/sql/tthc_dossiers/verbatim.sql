-- Verbatim copies of a line (every value the same, within one file) are one version: the first is kept, the copies
-- are counted (StagingResult.duplicates) and neither loaded twice nor rejected as conflicting. Compared on the typed
-- row (fragment every: every column but file_id, as t.<column>), which keeps the raw text of the values that do not
-- type and the ID number (the other personal columns are not kept), only for the codes in _repeated. pos: rowid.
CREATE OR REPLACE TEMP TABLE _verbatim AS
SELECT
    file_id,
    pos,
    first_pos
FROM (
    SELECT
        t.file_id,
        t.rowid AS pos,
        min(t.rowid) OVER (PARTITION BY t.file_id, {{ every }}) AS first_pos
    FROM _dossier_typed AS t SEMI JOIN _repeated AS x ON x.file_id = t.file_id AND x.dossier_code = t.dossier_code
) AS v
WHERE pos <> first_pos
