-- Per period of a report to Sở Nội vụ (for_period): the lead units of the plan (as it stood at the period end) that
-- sent no report of the period, their latest report, the due date (period end + task_report_due_days, default 15)
-- and whether it is late on task_report_as_of (default today). The plan asks for quarterly, six-monthly and yearly
-- reports: of the months, only those ending a quarter have rows (every lead unit was "late" for January).
WITH periods AS (
    SELECT
        y.plan_year,
        y.plan_year || '-' || p.part AS for_period,
        last_day(make_date(y.plan_year, p.month, 1)) AS for_period_end
    FROM (
        SELECT plan_year FROM fct_plan_task
        UNION
        SELECT plan_year FROM stg_task_report
    ) AS y,
        (
            SELECT *
            FROM (VALUES ('Q1', 3), ('Q2', 6), ('Q3', 9), ('Q4', 12), ('H1', 6), ('H2', 12), ('Y', 12))
                    AS t (part, month)
            UNION ALL
            SELECT
                'M' || lpad(CAST(m AS VARCHAR), 2, '0') AS part,
                m
            FROM range(3, 13, 3) AS r (m)
        ) AS p
),

-- the plan's tasks as they stood at the end of the period (a task added by a later revision is not yet in it;
-- plan_revision: the registers of the plan and the day each applies from)
current_led AS (
    SELECT
        p.for_period,
        p.plan_year,
        p.for_period_end,
        t.lead_codes
    FROM periods AS p INNER JOIN fct_plan_task AS t USING (plan_year)
    WHERE EXISTS (
            SELECT 1 FROM plan_task_history AS h INNER JOIN plan_revision AS r ON h.source_file = r.source_file
            WHERE r.plan_year = t.plan_year AND h.task_no = t.task_no AND r.in_force_from <= p.for_period_end
        )
        OR NOT EXISTS (
            SELECT 1 FROM plan_revision AS r
            WHERE r.plan_year = t.plan_year
        )
),

-- and the tasks a later revision removed, in the revision in force at the end of the period (its lead units)
removed_led AS (
    SELECT
        p.for_period,
        p.plan_year,
        p.for_period_end,
        h.lead_codes
    FROM periods AS p INNER JOIN plan_task_removed AS h USING (plan_year)
    WHERE
        h.revision = (
            SELECT max(r.revision) FROM plan_revision AS r
            WHERE r.plan_year = h.plan_year AND r.in_force_from <= p.for_period_end
        )
),

led AS (
    SELECT
        t.for_period,
        t.plan_year,
        t.for_period_end,
        lead.unit_code,
        count(*) AS tasks
    FROM (
        SELECT * FROM current_led
        UNION ALL
        SELECT * FROM removed_led
    ) AS t,
        unnest(t.lead_codes) AS lead (unit_code)
    GROUP BY ALL
)

SELECT
    l.for_period,
    l.plan_year,
    l.unit_code,
    coalesce(o.office_name, u.unit_name, l.unit_code) AS unit_name,
    l.tasks,
    r.last_period,
    r.last_report_date,
    l.for_period_end + CAST(coalesce(getvariable('task_report_due_days'), 15) AS INTEGER) AS report_due_on,
    CAST(coalesce(getvariable('task_report_as_of'), current_date) AS DATE)
    > l.for_period_end + CAST(coalesce(getvariable('task_report_due_days'), 15) AS INTEGER) AS is_late,
    coalesce(o.sort_key, u.sort_key) AS sort_key
FROM led AS l
LEFT JOIN mart_task_report_by_unit AS r USING (for_period, plan_year, unit_code)
LEFT JOIN dim_office AS o ON o.office_code = l.unit_code
LEFT JOIN dim_unit AS u ON u.unit_code = l.unit_code
WHERE NOT coalesce(r.reported, FALSE)
