-- Every version of every plan (trial registers left out), per year in the order they were issued.
SELECT DISTINCT
    plan_year,
    plan_number,
    revision,
    issued_on,
    source_file
FROM plan_task_history
WHERE trial IS NOT TRUE
ORDER BY plan_year, issued_on NULLS FIRST, revision, source_file
