-- The key of each (year, ID number) once, not per version: a dossier's versions share it (half the hashing).
-- fragment hmac: HMAC-SHA256 of d.id with the pads of k (common/pii.py, hmac_sql).
CREATE OR REPLACE TEMP TABLE _applicant_keys AS
SELECT
    d.year,
    d.id,
    {{ hmac }} AS applicant_key
FROM (
    SELECT DISTINCT
        year(received_at) AS year,
        _applicant_id AS id
    FROM _dossier_rows
    WHERE NOT _pseudonymised AND _applicant_id IS NOT NULL
) AS d INNER JOIN _pii_pads AS k USING (year)
