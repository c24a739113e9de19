SELECT DISTINCT resolving_unit FROM _dossier_raw
WHERE resolving_unit IS NOT NULL
