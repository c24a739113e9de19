-- The dossiers whose life overlaps [$from_day, $to_day]: a version exported in those days, or a current state spanning them.
CREATE OR REPLACE TEMP TABLE _touched AS
SELECT DISTINCT dossier_code
FROM stg_dossier_versions
WHERE export_date BETWEEN $from_day AND $to_day
UNION
SELECT dossier_code
FROM fct_dossier
WHERE first_export_date <= $to_day AND last_export_date >= $from_day
