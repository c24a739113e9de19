-- QĐ 766 counts (5.1-5.3, and 5.4's petitions) from the petitions, per (period, unit) of _period_months, as of $as_of.
WITH p AS (
    SELECT
        pm.period_label,
        t.unit_code,
        t.satisfaction,
        t.repeated,
        t.category,
        CASE WHEN t.completed_at IS NOT NULL THEN t.completed_at <= t.due_at ELSE t.due_at >= $as_of END AS on_time
    FROM fct_petition AS t
    INNER JOIN _period_months AS pm ON date_trunc('month', t.received_at) = pm.month
    WHERE t.received_at <= $as_of
)

SELECT
    period_label,
    unit_code,
    count(*) AS petitions,
    count(*) FILTER (WHERE on_time) AS petitions_on_time,
    -- 5.3 counts out the petitions whose handling was disliked, repeated or late; unknown when a petition that was
    -- neither late nor disliked has no "repeated" flag (null is not "not repeated": 5.3 is then not evaluated)
    CASE
        WHEN
            bool_or(on_time AND coalesce(satisfaction, '') <> 'dissatisfied' AND repeated IS NULL)
            THEN NULL
        ELSE count(*) FILTER (WHERE on_time AND coalesce(satisfaction, '') <> 'dissatisfied' AND NOT repeated)
    END AS petitions_satisfied,
    -- 5.4 takes out the dossiers with a petition: petitions about a procedure (not about staff behaviour)
    count(*) FILTER (WHERE category = 'procedure') AS procedure_petitions
FROM p
GROUP BY ALL
