-- Difficulties and proposals of each unit's current form for $year and $index_code.
SELECT
    unit_code,
    difficulties,
    proposals
FROM stg_assessment_submission
WHERE year = $year AND index_code = $index_code AND NOT superseded
