-- Procedures under each unit's authority: an agency's own provincial ones, every commune-level one for a commune.
-- When a provincial procedure has no known owner, no agency's count is known; an unknown payment flag likewise.
WITH counts AS (
    SELECT
        u.unit_code,
        u.unit_group,
        count(pr.procedure_code) AS formalities,
        count(pr.procedure_code) FILTER (WHERE pr.online_level <> 'none') AS online_formalities,
        count(pr.procedure_code) FILTER (WHERE pr.fee_bearing) AS fee_formalities,
        count(pr.procedure_code) FILTER (WHERE pr.fee_bearing AND pr.payment_integrated) AS integrated_formalities,
        count(pr.procedure_code) FILTER (WHERE pr.fee_bearing AND pr.payment_integrated IS NULL) AS payment_unknown
    FROM dim_unit AS u
    LEFT JOIN dim_procedure AS pr
        ON (u.unit_group = 'agency' AND pr.authority_level = 'province' AND pr.owner_unit_code = u.unit_code)
            OR (u.unit_group <> 'agency' AND pr.authority_level = 'commune')
    GROUP BY ALL
),

ownerless AS (
    SELECT count(*) AS n FROM dim_procedure
    WHERE authority_level = 'province' AND owner_unit_code IS NULL
)

SELECT
    unit_code,
    CASE WHEN unit_group <> 'agency' OR n = 0 THEN formalities END AS formalities,
    CASE WHEN unit_group <> 'agency' OR n = 0 THEN online_formalities END AS online_formalities,
    CASE WHEN unit_group <> 'agency' OR n = 0 THEN fee_formalities END AS fee_formalities,
    CASE WHEN (unit_group <> 'agency' OR n = 0) AND payment_unknown = 0 THEN integrated_formalities END
        AS integrated_formalities
FROM counts, ownerless
