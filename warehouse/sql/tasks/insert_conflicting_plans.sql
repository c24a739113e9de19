-- A plan year with more than one plan: the issue of the register used, with the year it registers.
INSERT INTO file_issues BY NAME
SELECT
    $source AS source,
    $file_name AS file_name,
    'conflicting_plans' AS rule,
    $reason AS reason,
    FALSE AS blocking,
    $loaded_at AS loaded_at,
    'tasks' AS index_code,
    (
        SELECT max(h.plan_year)
        FROM plan_task_history AS h
        WHERE h.source_file = $file_name
    ) AS year
