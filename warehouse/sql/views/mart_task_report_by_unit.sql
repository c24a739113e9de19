-- Per period of a report to Sở Nội vụ (for_period) and unit: whether the unit sent its report, and its latest one.
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
)

SELECT
    p.for_period,
    p.plan_year,
    r.unit_code,
    -- the unit's report of the period itself, or of a quarter, six months or year ending with it
    bool_or(
        r.period_label = p.for_period
        OR (r.period_end = p.for_period_end AND r.period_label NOT LIKE '%-M%')
    ) AS reported,
    arg_max(r.period_label, (r.report_date, r.period_end, r.source_file)) AS last_period,
    max(r.report_date) AS last_report_date
FROM report_periods AS p
INNER JOIN reports AS r ON p.plan_year = r.plan_year AND r.period_end <= p.for_period_end
GROUP BY ALL
