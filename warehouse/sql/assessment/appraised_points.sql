-- The council's points per unit and criterion; a corrected file beside the original: the last file by name wins.
SELECT
    unit_code,
    code,
    arg_max(appraised_points, source_file) AS appraised_points
FROM stg_assessment_appraisal
WHERE year = $year AND index_code = $index_code
GROUP BY ALL
