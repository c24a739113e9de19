-- Where each file's rows start in the scan (rowid) and how many there are.
CREATE OR REPLACE TEMP TABLE _starts AS
SELECT
    file_id,
    min(rowid) AS first_pos,
    count(*) AS rows
FROM _dossier_typed
GROUP BY file_id
