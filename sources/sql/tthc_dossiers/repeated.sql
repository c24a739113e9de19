-- The codes that appear more than once in a file: the only rows compared for verbatim copies and duplicates.
CREATE OR REPLACE TEMP TABLE _repeated AS
SELECT
    file_id,
    dossier_code
FROM _dossier_typed
WHERE dossier_code IS NOT NULL
GROUP BY ALL
HAVING count(*) > 1
