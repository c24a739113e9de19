-- Survey points per unit and criterion, summed over the surveys; in each survey the file delivered last wins
-- (delivery_order, warehouse/par.py; the file name only for rows loaded before it existed). A row without points is
-- the survey office's "Không khảo sát": not_surveyed when no survey of the criterion gave points.
SELECT
    unit_code,
    code,
    sum(points) AS points,
    bool_and(points IS NULL) AS not_surveyed
FROM (
    SELECT
        unit_code,
        survey,
        code,
        arg_max_null(points, lpad(coalesce(delivery_order, 0)::VARCHAR, 6, '0') || source_file) AS points
    FROM stg_assessment_survey
    WHERE year = $year AND index_code = $index_code
    GROUP BY ALL
) AS per_survey
GROUP BY ALL
