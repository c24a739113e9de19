-- The progress report used for each period of a report to Sở Nội vụ (for_period), per task and unit: the latest one
-- of that period or an earlier one, superseded reports left out.
WITH
-- every period a report can be written for (month, quarter, six months, year) of each plan year with reports
report_periods AS (
    SELECT
        y.plan_year,
        y.plan_year || '-' || p.part AS for_period,
        last_day(make_date(y.plan_year, p.month, 1)) AS for_period_end
    FROM (SELECT DISTINCT plan_year FROM stg_task_report) AS y,
        (
            SELECT *
            FROM (VALUES ('Q1', 3), ('Q2', 6), ('Q3', 9), ('Q4', 12), ('H1', 6), ('H2', 12), ('Y', 12)) AS t (part, month)
            UNION ALL
            SELECT
                'M' || lpad(CAST(m AS VARCHAR), 2, '0') AS part,
                m AS month
            FROM range(1, 13) AS r (m)
        ) AS p
),

-- the reports that count, with the last day of their own period (common/periods.py in SQL; NULL when unreadable)
reports AS (
    SELECT
        *,
        CASE
            WHEN regexp_full_match(period_label, '\d{4}-Y')
                THEN make_date(CAST(left(period_label, 4) AS INTEGER), 12, 31)
            WHEN regexp_full_match(period_label, '\d{4}-H[12]')
                THEN last_day(make_date(CAST(left(period_label, 4) AS INTEGER), 6 * CAST(right(period_label, 1) AS INTEGER), 1))
            WHEN regexp_full_match(period_label, '\d{4}-Q[1-4]')
                THEN last_day(make_date(CAST(left(period_label, 4) AS INTEGER), 3 * CAST(right(period_label, 1) AS INTEGER), 1))
            WHEN regexp_full_match(period_label, '\d{4}-M(0[1-9]|1[0-2])')
                THEN last_day(make_date(CAST(left(period_label, 4) AS INTEGER), CAST(right(period_label, 2) AS INTEGER), 1))
        END AS period_end
    FROM stg_task_report
    WHERE NOT superseded
),

counted AS (
    SELECT
        p.for_period,
        r.*,
        -- the latest result document the unit gave for the task: a later report that leaves it blank does not erase it
        arg_max(
            { 'number': r.result_doc_number, 'day': r.result_doc_date },
            (r.report_date, r.period_end, r.source_file, r.source_row)
        ) FILTER (WHERE coalesce(r.result_doc_number, '') <> '' OR r.result_doc_date IS NOT NULL)
            OVER (PARTITION BY p.for_period, r.task_no, r.unit_code) AS doc
    FROM report_periods AS p
    INNER JOIN reports AS r ON p.plan_year = r.plan_year AND r.period_end <= p.for_period_end
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
        ORDER BY report_date DESC, period_end DESC, source_file DESC, source_row DESC
    ) = 1
