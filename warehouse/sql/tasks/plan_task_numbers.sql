-- Every task number of the current plan of each year, the current tasks and those a revision removed
-- (plan_task_removed), with the lead units of the task's latest version (a current task's are fct_plan_task's).
SELECT
    plan_year,
    task_no,
    lead_codes
FROM fct_plan_task
UNION ALL
SELECT
    plan_year,
    task_no,
    lead_codes
FROM plan_task_removed
QUALIFY row_number() OVER (PARTITION BY plan_year, task_no ORDER BY revision DESC) = 1
