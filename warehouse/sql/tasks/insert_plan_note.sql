-- A note on a register found when the current tasks are worked out ($rule: a plan year with more than one plan, a
-- revision that gives a task number to another task): the issue of that register, with the year it registers.
INSERT INTO file_issues BY NAME
SELECT
    $source AS source,
    $file_name AS file_name,
    $rule AS rule,
    $reason AS reason,
    FALSE AS blocking,
    $loaded_at AS loaded_at,
    'tasks' AS index_code,
    (
        SELECT max(h.plan_year)
        FROM plan_task_history AS h
        WHERE h.source_file = $file_name
    ) AS year
