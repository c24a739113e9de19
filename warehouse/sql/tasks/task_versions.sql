-- Every task's versions along the revisions of the plan ($plan_year, $plan_number), oldest issue first, trial
-- registers left out: the revision, its issue date, the task's effective due date, its lead units and its row in the
-- register. A task a revision removed has no row in that revision (tasks.removals finds it).
SELECT
    task_no,
    revision,
    issued_on,
    effective_due_date,
    lead_codes,
    source_row
FROM plan_task_history
WHERE plan_year = $plan_year AND plan_number = $plan_number AND trial IS NOT TRUE
ORDER BY issued_on NULLS FIRST, revision, source_row
