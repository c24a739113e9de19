-- The staged lineage of the dossier exports, but the days that keep their earlier load (a still-copying day's
-- "deferred" row goes in all the same).
INSERT INTO landed_files BY NAME
SELECT *
FROM _landed
WHERE NOT list_contains($kept_days, partition_date) OR status = 'deferred'
