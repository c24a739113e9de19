-- QĐ 766 series per unit: each month and quarter of mart_qd766_unit beside the unit's row of the month (quarter) just
-- before it. A period without data has no row (never a zero), and its next period has no change: changes compare
-- adjacent periods only. rank_change = previous rank - rank (positive: moved up), on the mart's competition ranks.
-- Two periods scored by different methodology files (a decision valid from 1 July: June by the old, July by the new)
-- are not compared either: their points and ranks are on other rules.
WITH methods AS (
    SELECT
        period_label,
        unit_code,
        any_value(methodology) AS methodology
    FROM mart_qd766_indicator
    GROUP BY ALL
),

series AS (
    SELECT
        u.*,
        m.methodology,
        CASE u.period_kind WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 END AS months_long
    FROM mart_qd766_unit AS u
    LEFT JOIN methods AS m ON u.period_label = m.period_label AND u.unit_code = m.unit_code
    WHERE u.period_kind IN ('month', 'quarter')
)

SELECT
    c.period_kind,
    c.period_label,
    c.period_start,
    c.period_end,
    c.unit_code,
    c.unit_name,
    c.ranking_group,
    c.score_ckmb,
    c.score_tdgq,
    c.score_dvctt,
    c.score_tttt,
    c.score_mdhl,
    c.score_shhs,
    c.total,
    c.evaluated_max,
    c.complete,
    c.rank,
    c.is_tied,
    c.units_in_group,
    p.period_label AS previous_period_label,
    p.total AS previous_total,
    p.rank AS previous_rank,
    p.is_tied AS previous_is_tied,
    -- totals out of different maxima (a group missing in one period) are not compared
    CASE
        WHEN c.evaluated_max = p.evaluated_max AND coalesce(c.methodology, '') = coalesce(p.methodology, '')
            THEN round(c.total - p.total, 2)
    END AS total_change,
    CASE
        WHEN c.ranking_group = p.ranking_group AND coalesce(c.methodology, '') = coalesce(p.methodology, '')
            THEN p.rank - c.rank
    END AS rank_change,
    c.dossiers,
    c.as_of,
    c.sort_key,
    c.methodology,
    p.methodology AS previous_methodology
FROM series AS c
LEFT JOIN series AS p
    ON
        c.unit_code = p.unit_code
        AND c.period_kind = p.period_kind
        AND p.period_start = CAST(c.period_start - to_months(c.months_long) AS DATE)
