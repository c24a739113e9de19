-- Months whose petition export was loaded (a month with no petitions has a file with no rows). A month whose file had
-- rows but loaded fewer than $share of them (warehouse/petitions.USABLE_MONTH_SHARE; every date in a format the
-- profile does not read) is not known: counted from what loaded, its units would have no petitions and full points
-- on 5.2 and 5.3.
WITH files AS (
    SELECT
        partition_date,
        bool_or(
            status <> 'rejected' AND (coalesce(rows_read, 0) = 0 OR coalesce(rows_loaded, 0) >= $share * rows_read)
        ) AS usable
    FROM landed_files
    WHERE source = 'pakn' AND partition_date IS NOT NULL
    GROUP BY partition_date
)

SELECT partition_date
FROM files
WHERE usable
UNION
SELECT DISTINCT date_trunc('month', received_at)::DATE
FROM fct_petition
WHERE date_trunc('month', received_at)::DATE NOT IN (
        SELECT partition_date FROM files
        WHERE NOT usable
    )
