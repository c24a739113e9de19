-- Every task number of the current plan of each year, the current tasks and those a revision removed, with the lead
-- units of the task's latest version (a current task's are fct_plan_task's); trial registers left out.
SELECT
    plan_year,
    task_no,
    lead_codes
FROM fct_plan_task
UNION ALL
SELECT
    h.plan_year,
    h.task_no,
    h.lead_codes
FROM plan_task_history AS h
WHERE
    h.trial IS NOT TRUE
    AND EXISTS (
        SELECT 1 FROM fct_plan_task AS c
        WHERE c.plan_year = h.plan_year AND c.plan_number = h.plan_number
    )
    AND NOT EXISTS (
        SELECT 1 FROM fct_plan_task AS t
        WHERE t.plan_year = h.plan_year AND t.task_no = h.task_no
    )
QUALIFY row_number() OVER (PARTITION BY h.plan_year, h.task_no ORDER BY h.issued_on DESC NULLS LAST, h.revision DESC) = 1
