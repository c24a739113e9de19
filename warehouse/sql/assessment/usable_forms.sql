-- Units whose current form for $year and $index_code can be used: without hard errors, or any when $rejected_rows_ok.
SELECT unit_code
FROM stg_assessment_submission
WHERE year = $year AND index_code = $index_code AND NOT superseded AND ($rejected_rows_ok OR hard_errors = 0)
