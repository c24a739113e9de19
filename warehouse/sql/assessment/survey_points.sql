-- Survey points per unit and criterion, summed over the surveys; in each survey the file delivered last wins
-- (delivery_order, warehouse/par.py; the file name only for rows loaded before it existed).
SELECT
    unit_code,
    code,
    sum(points) AS points
FROM (
    SELECT
        unit_code,
        survey,
        code,
        arg_max(points, lpad(coalesce(delivery_order, 0)::VARCHAR, 6, '0') || source_file) AS points
    FROM stg_assessment_survey
    WHERE year = $year AND index_code = $index_code
    GROUP BY ALL
) AS per_survey
GROUP BY ALL
