-- The latest capture's group score per (period, unit, group), for the groups whose formula is unresolved ($group_codes).
-- arg_max_null, not arg_max: arg_max skips a NULL score, so a later "not evaluated" (or a score dropped as invalid)
-- would give back an older capture's score; the latest capture decides, and its NULL means unknown.
SELECT
    period_label,
    unit_code,
    group_code,
    arg_max_null(score, captured_at) AS score
FROM portal_qd766_node
WHERE role = 'unit' AND unit_code IS NOT NULL AND list_contains($group_codes, group_code)
GROUP BY ALL
