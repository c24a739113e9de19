-- Every task's versions along the registers of the plan of $plan_year (plan_revision: one register per revision, in
-- revision order): the revision, the day it applies from, the task's effective due date, its lead units and its row
-- in the register. A task a revision removed has no row in that revision (tasks._plan_tasks finds it).
SELECT
    h.task_no,
    r.revision,
    r.in_force_from,
    h.effective_due_date,
    h.lead_codes,
    h.source_row
FROM plan_revision AS r
INNER JOIN plan_task_history AS h ON r.source_file = h.source_file
WHERE r.plan_year = $plan_year
ORDER BY r.revision, h.source_row
