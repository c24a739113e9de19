-- Lines with at least one broken rule, per file.
SELECT
    file_name,
    count(DISTINCT row_number) AS rows_rejected
FROM _dossier_rejects
GROUP BY 1
