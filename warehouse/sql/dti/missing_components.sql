-- Units of $unit_group whose scorecard for $year has another number of applicable components than $expected (a
-- component the unit or the council wrote 'Không áp dụng' for, source unit_not_applicable, has its row too).
SELECT
    m.unit_code,
    count(c.code) FILTER (WHERE c.applicable OR c.source = 'unit_not_applicable') AS components
FROM mart_dti_unit AS m
INNER JOIN dim_unit AS d ON m.unit_code = d.unit_code AND d.unit_group = $unit_group
LEFT JOIN mart_dti_component AS c ON m.unit_code = c.unit_code AND m.year = c.year
WHERE m.year = $year
GROUP BY ALL
HAVING count(c.code) FILTER (WHERE c.applicable OR c.source = 'unit_not_applicable') <> $expected
