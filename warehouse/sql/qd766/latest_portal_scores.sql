-- The latest capture's group score per (period, unit, group), for the groups whose formula is unresolved ($group_codes).
SELECT
    period_label,
    unit_code,
    group_code,
    arg_max(score, captured_at) AS score
FROM portal_qd766_node
WHERE role = 'unit' AND unit_code IS NOT NULL AND list_contains($group_codes, group_code)
GROUP BY ALL
