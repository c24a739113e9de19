-- Units of the master data without a DTI scorecard for $year, in the master data's order.
SELECT
    u.unit_code,
    u.unit_name
FROM dim_unit AS u
LEFT JOIN mart_dti_unit AS m ON u.unit_code = m.unit_code AND m.year = $year
WHERE m.unit_code IS NULL
ORDER BY u.sort_order
