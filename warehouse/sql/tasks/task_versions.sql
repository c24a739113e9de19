-- Each current task's versions along the plan's revisions ($plan_year, $plan_number), oldest issue first: the
-- revision's issue date, the task's effective due date and its lead units.
SELECT
    h.task_no,
    h.issued_on,
    h.effective_due_date,
    h.lead_codes
FROM plan_task_history AS h
INNER JOIN fct_plan_task AS t USING (plan_year, task_no)
WHERE h.plan_year = $plan_year AND h.plan_number = $plan_number
ORDER BY h.issued_on NULLS FIRST, h.revision
