-- The units' current self-assessment per criterion for $year and $index_code, from a usable form (one without
-- hard errors, or any current form when $rejected_rows_ok).
SELECT
    s.unit_code,
    s.code,
    s.self_points,
    s.self_answer,
    coalesce(s.not_applicable, FALSE) AS not_applicable
FROM stg_assessment_self AS s
INNER JOIN stg_assessment_submission AS f
    ON
        s.source_file = f.source_file
        AND s.year = f.year
        AND s.index_code = f.index_code
        AND s.unit_code = f.unit_code
WHERE s.year = $year AND s.index_code = $index_code AND NOT s.superseded AND ($rejected_rows_ok OR f.hard_errors = 0)
