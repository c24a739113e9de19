-- Verbatim copies of a line (every value the same, within one file) are one version: the first is kept, the copies
-- are counted (StagingResult.duplicates) and neither loaded twice nor rejected as conflicting. Compared on the typed
-- row (fragment every: every column but file_id and line, as t.<column>), which keeps the raw text of dates and codes
-- and the ID number (the other personal columns are not kept), only for the codes in _repeated.
CREATE OR REPLACE TEMP TABLE _verbatim AS
SELECT
    file_id,
    line,
    first_line
FROM (
    SELECT
        t.file_id,
        t.line,
        min(t.line) OVER (PARTITION BY t.file_id, {{ every }}) AS first_line
    FROM _dossier_typed AS t SEMI JOIN _repeated AS x ON x.file_id = t.file_id AND x.dossier_code = t.dossier_code
) AS v
WHERE line <> first_line
