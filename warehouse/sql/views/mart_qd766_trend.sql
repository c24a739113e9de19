-- QĐ 766 series per unit: each month and quarter of mart_qd766_unit beside the unit's row of the month (quarter) just
-- before it. A period without data has no row (never a zero), and its next period has no change: changes compare
-- adjacent periods only. rank_change = previous rank - rank (positive: moved up), on the mart's competition ranks.
WITH series AS (
    SELECT
        *,
        CASE period_kind WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 END AS months_long
    FROM mart_qd766_unit
    WHERE period_kind IN ('month', 'quarter')
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
    CASE WHEN c.evaluated_max = p.evaluated_max THEN round(c.total - p.total, 2) END AS total_change,
    CASE WHEN c.ranking_group = p.ranking_group THEN p.rank - c.rank END AS rank_change,
    c.dossiers,
    c.as_of,
    c.sort_key
FROM series AS c
LEFT JOIN series AS p
    ON
        c.unit_code = p.unit_code
        AND c.period_kind = p.period_kind
        AND p.period_start = CAST(c.period_start - to_months(c.months_long) AS DATE)
