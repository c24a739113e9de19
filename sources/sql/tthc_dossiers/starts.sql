-- Where each file's rows start in the scan (rowid), how many there are, and whether the file has malformed lines.
CREATE OR REPLACE TEMP TABLE _starts AS
SELECT
    p.file_id,
    p.path,
    min(t.rowid) AS first_pos,
    count(*) AS rows,
    p.file_id IN (SELECT m.file_id FROM _malformed AS m) AS has_malformed
FROM _dossier_typed AS t INNER JOIN _paths AS p ON t.file_id = p.file_id
GROUP BY ALL
