-- The progress report used for each period of a report to Sở Nội vụ (for_period), per task and unit: the one of the
-- latest period up to it (of one period, the latest report; a quý I report sent late does not hide quý II's),
-- superseded reports left out.
WITH
counted AS (
    SELECT
        p.for_period,
        r.*,
        -- the latest result document the unit gave for the task: a later report that leaves it blank does not erase it
        arg_max(
            { 'number': r.result_doc_number, 'day': r.result_doc_date },
            (r.period_end, r.report_date, r.source_file, r.source_row)
        ) FILTER (WHERE coalesce(r.result_doc_number, '') <> '' OR r.result_doc_date IS NOT NULL)
            OVER (PARTITION BY p.for_period, r.task_no, r.unit_code) AS doc
    FROM mart_task_report_period AS p
    INNER JOIN mart_task_report_current AS r ON p.plan_year = r.plan_year AND r.period_end <= p.for_period_end
)

SELECT
    for_period,
    plan_year,
    task_no,
    unit_code,
    period_label,
    period_end,
    report_date,
    status,
    -- the Vietnamese words of the reported status (sources/task_formats.STATUS_LABELS)
    CASE status {{ status_label_whens }} ELSE status END AS status_label,
    percent,
    completed_on,
    doc.number AS result_doc_number,
    doc.day AS result_doc_date,
    difficulties,
    proposals,
    source_file,
    source_row
FROM counted
QUALIFY row_number() OVER (
        PARTITION BY for_period, task_no, unit_code
        ORDER BY period_end DESC, report_date DESC, source_file DESC, source_row DESC
    ) = 1
