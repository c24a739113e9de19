-- Per period of a report to Sở Nội vụ (for_period) and unit: whether the unit sent its report, and its latest one,
-- with the unit's name and Vietnamese sort key (an office of the department, or a unit).
WITH by_unit AS (
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
    FROM mart_task_report_period AS p
    INNER JOIN mart_task_report_current AS r ON p.plan_year = r.plan_year AND r.period_end <= p.for_period_end
    GROUP BY ALL
)

SELECT
    b.*,
    coalesce(o.office_name, u.unit_name) AS unit_name,
    coalesce(o.sort_key, u.sort_key) AS sort_key
FROM by_unit AS b
LEFT JOIN dim_office AS o ON b.unit_code = o.office_code
LEFT JOIN dim_unit AS u ON b.unit_code = u.unit_code
