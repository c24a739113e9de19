-- (unit code, unit name, why) of the units of $year listed as without a usable DTI form, in the master data's order.
SELECT
    m.unit_code,
    m.unit_name,
    coalesce(
        'phiếu bị từ chối: ' || m.form_refused,
        (
            SELECT 'phiếu bị từ chối: ' || string_agg(DISTINCT s.source_file, ', ')
            FROM stg_assessment_submission AS s
            WHERE s.year = m.year AND s.index_code = 'dti' AND s.unit_code = m.unit_code
        ),
        'chưa nộp phiếu'
    ) AS why
FROM mart_dti_unit AS m
INNER JOIN dim_unit AS d USING (unit_code)
WHERE m.year = $year AND NOT m.has_form
ORDER BY d.sort_order
