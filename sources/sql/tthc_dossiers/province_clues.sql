-- What the rows of each file say of their province, one row per file and distinct clue (the dossier code's province
-- code, the receiving centre, the resolving unit as written) with how many rows carry it: matched to provinces in
-- Python once per clue, an export of another province is refused whole and a few misrouted rows one by one.
SELECT
    file_id,
    _code_prefix(dossier_code) AS prefix,
    receiving_centre AS centre,
    resolving_unit_raw AS unit,
    count(*) AS row_count
FROM _dossier_typed
WHERE dossier_code IS NOT NULL
GROUP BY ALL
