-- Every period a report to Sở Nội vụ can be written for (month, quarter, six months, year) of each plan year with
-- progress reports, with its last day: shared by the task-report views.
SELECT
    y.plan_year,
    y.plan_year || '-' || p.part AS for_period,
    last_day(make_date(y.plan_year, p.month, 1)) AS for_period_end
FROM (SELECT DISTINCT plan_year FROM stg_task_report) AS y,
    (
        SELECT
            t.part,
            t.month
        FROM (VALUES ('Q1', 3), ('Q2', 6), ('Q3', 9), ('Q4', 12), ('H1', 6), ('H2', 12), ('Y', 12)) AS t (part, month)
        UNION ALL
        SELECT
            'M' || lpad(CAST(m AS VARCHAR), 2, '0') AS part,
            m AS month
        FROM range(1, 13) AS r (m)
    ) AS p
