-- The rows of the current (not superseded) progress reports of $plan_year, oldest report first.
SELECT
    task_no,
    unit_code,
    period_label,
    status,
    percent,
    completed_on,
    result_doc_date,
    report_date
FROM stg_task_report
WHERE plan_year = $plan_year AND NOT superseded
ORDER BY report_date, source_file
