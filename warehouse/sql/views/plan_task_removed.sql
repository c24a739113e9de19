-- Every version of the tasks a revision removed from a year's current plan: the plan_task_history rows of the
-- current plan (trial registers left out) whose task number is no longer in fct_plan_task.
SELECT h.* EXCLUDE (trial)
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
