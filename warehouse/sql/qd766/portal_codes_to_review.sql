-- The portal codes learned by name (not in the master data), one row per unit, in the master data's mapping format.
-- A unit known by its master-data code keeps it; what was learned is then only its department id.
SELECT
    c.unit_code,
    coalesce(max(c.portal_code), any_value(u.portal_code)) AS portal_code,
    max(c.department_id) AS department_id,
    any_value(c.unit_name) AS unit_name,
    string_agg(DISTINCT c.department_name, ' | ') AS portal_name,
    string_agg(DISTINCT c.matched_by, ', ') AS matched_by,
    min(c.file_name) AS file_name,
    count(DISTINCT c.portal_code) > 1 OR count(DISTINCT c.department_id) > 1 AS conflicting
FROM portal_unit_code AS c
LEFT JOIN dim_unit AS u USING (unit_code)
WHERE c.source = 'learned'
GROUP BY c.unit_code
ORDER BY c.unit_code
