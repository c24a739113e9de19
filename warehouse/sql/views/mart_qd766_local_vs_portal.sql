-- Group scores measured from the warehouse beside the portal's (its latest capture of the same period).
-- arg_max_null: the latest capture's NULL (not evaluated) stays unknown instead of an older capture's score.
WITH portal AS (
    SELECT
        period_label,
        unit_code,
        group_code,
        arg_max_null(score, captured_at) AS portal_score,
        max(captured_at) AS captured_at
    FROM portal_qd766_node
    WHERE role = 'unit' AND unit_code IS NOT NULL
    GROUP BY ALL
),

local AS (
    UNPIVOT (
        SELECT
            period_label,
            unit_code,
            unit_name,
            sort_key,
            ranking_group,
            as_of,
            score_ckmb AS CKMB,
            score_tdgq AS TDGQ,
            score_dvctt AS DVCTT,
            score_tttt AS TTTT,
            score_mdhl AS MDHL,
            score_shhs AS SHHS
        FROM mart_qd766_unit
    )
    ON CKMB, TDGQ, DVCTT, TTTT, MDHL, SHHS INTO NAME group_code VALUE local_score
)

SELECT
    l.period_label,
    l.unit_code,
    l.unit_name,
    l.ranking_group,
    l.group_code,
    l.local_score,
    p.portal_score,
    round(l.local_score - p.portal_score, 2) AS difference,
    l.as_of,
    p.captured_at,
    l.sort_key
FROM local AS l
LEFT JOIN portal AS p USING (period_label, unit_code, group_code)
