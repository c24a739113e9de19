-- Every version of the tasks a revision removed from a year's current plan: the plan_task_history rows of the
-- registers of the plan (plan_revision: trial registers and replaced copies left out) whose task number is no longer
-- in fct_plan_task, under the plan's number, with the day their register applies from.
SELECT
    h.* EXCLUDE (trial) REPLACE (r.plan_number AS plan_number),
    r.in_force_from
FROM plan_task_history AS h
INNER JOIN plan_revision AS r ON h.source_file = r.source_file
WHERE
    NOT EXISTS (
        SELECT 1 FROM fct_plan_task AS t
        WHERE t.plan_year = h.plan_year AND t.task_no = h.task_no
    )
