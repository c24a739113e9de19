-- Every loaded register (trial registers left out) with the first load of its content ($source's landed_files): the
-- registers warehouse/plan_chain.py chains into each year's plan.
WITH registers AS (
    SELECT DISTINCT
        plan_year,
        plan_number,
        revision,
        issued_on,
        source_file
    FROM plan_task_history
    WHERE trial IS NOT TRUE
),

arrivals AS (
    SELECT
        file_name AS source_file,
        min(first_loaded_at) AS arrived
    FROM landed_files
    WHERE source = $source
    GROUP BY file_name
)

SELECT
    r.plan_year,
    r.plan_number,
    r.revision,
    r.issued_on,
    r.source_file,
    a.arrived
FROM registers AS r
LEFT JOIN arrivals AS a ON r.source_file = a.source_file
ORDER BY r.plan_year, r.revision, r.source_file
