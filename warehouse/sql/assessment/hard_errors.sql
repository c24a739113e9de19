-- (unit, file, reasons) of every unit whose current form for $year and $index_code cannot be used as it is; the
-- reasons are those of its rejected rows, else of its blocking file issues ($source: the forms' source, par_form…).
WITH current AS (
    -- the form the scorecard uses, or the latest one when none could be used
    SELECT
        unit_code,
        source_file,
        hard_errors
    FROM stg_assessment_submission
    WHERE year = $year AND index_code = $index_code
    QUALIFY row_number() OVER (
            PARTITION BY unit_code
            ORDER BY NOT superseded DESC, submitted_at DESC NULLS LAST, source_file DESC
        ) = 1
)

SELECT
    c.unit_code,
    c.source_file,
    coalesce(string_agg(DISTINCT q.reason, '; '), string_agg(DISTINCT f.reason, '; ')) AS reasons
FROM current AS c
LEFT JOIN quarantine AS q ON q.source = $source AND c.source_file = q.file_name
LEFT JOIN file_issues AS f ON f.source = $source AND c.source_file = f.file_name AND f.blocking
WHERE c.hard_errors > 0
GROUP BY ALL
ORDER BY 1
