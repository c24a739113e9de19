-- The council's points per unit and criterion; a corrected file beside the original: the file delivered last wins
-- (delivery_order, warehouse/par.py; the file name only for rows loaded before it existed).
SELECT
    unit_code,
    code,
    arg_max(appraised_points, lpad(coalesce(delivery_order, 0)::VARCHAR, 6, '0') || source_file) AS appraised_points,
    arg_max(
        coalesce(not_applicable, FALSE), lpad(coalesce(delivery_order, 0)::VARCHAR, 6, '0') || source_file
    ) AS not_applicable
FROM stg_assessment_appraisal
WHERE year = $year AND index_code = $index_code
GROUP BY ALL
