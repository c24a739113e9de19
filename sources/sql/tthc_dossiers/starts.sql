-- Where each file's rows start in the scan, how many there are, and whether the file has malformed lines.
CREATE OR REPLACE TEMP TABLE _starts AS
SELECT
    p.file_id,
    p.path,
    min(s.rowid) AS first_rowid,
    count(*) AS rows,
    p.file_id IN (SELECT file_id FROM _malformed) AS has_malformed
FROM _scan AS s INNER JOIN _paths AS p ON p.path = s.filename
GROUP BY ALL
