-- Communes that offer electronic certified copies ($procedures: the codes of that procedure): at least one such
-- dossier received up to the period's end (and $as_of); an agency counts every commune that offers them.
WITH offering AS (
    SELECT
        p.period_label,
        f.resolving_unit_code AS unit_code
    FROM fct_dossier AS f
    INNER JOIN (
        SELECT DISTINCT
            period_label,
            period_end
        FROM _period_months
    ) AS p ON f.received_at < p.period_end + 1
    WHERE list_contains($procedures, f.procedure_code) AND f.received_at <= $as_of
    GROUP BY ALL
),

locals AS (
    SELECT unit_code FROM dim_unit
    WHERE unit_group <> 'agency'
)

SELECT
    p.period_label,
    u.unit_code,
    CASE WHEN u.unit_group = 'agency'
            THEN (
                SELECT count(*) FROM offering AS o INNER JOIN locals USING (unit_code)
                WHERE o.period_label = p.period_label
            )
        ELSE (
            SELECT count(*) FROM offering AS o
            WHERE o.period_label = p.period_label AND o.unit_code = u.unit_code
        )
    END AS e_copy_offering,
    CASE WHEN u.unit_group = 'agency' THEN (SELECT count(*) FROM locals) ELSE 1 END AS e_copy_units
FROM dim_unit AS u CROSS JOIN (SELECT DISTINCT period_label FROM _period_months) AS p
