-- Survey points per unit and criterion, summed over the surveys; in each survey the last file by name wins.
SELECT
    unit_code,
    code,
    sum(points) AS points
FROM (
    SELECT
        unit_code,
        survey,
        code,
        arg_max(points, source_file) AS points
    FROM stg_assessment_survey
    WHERE year = $year AND index_code = $index_code
    GROUP BY ALL
) AS per_survey
GROUP BY ALL
