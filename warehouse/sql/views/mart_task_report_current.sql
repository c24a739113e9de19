-- The progress reports that count (superseded ones left out), with the last day of their own period
-- (common/periods.py in SQL; NULL when unreadable): shared by the task-report views.
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
