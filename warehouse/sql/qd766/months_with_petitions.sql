-- Months whose petition export was loaded (a month with no petitions has a file with no rows).
SELECT partition_date
FROM landed_files
WHERE source = 'pakn' AND status <> 'rejected'
UNION
SELECT DISTINCT date_trunc('month', received_at)::DATE
FROM fct_petition
