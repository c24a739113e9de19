-- Full-online procedures under each unit's authority, and how many of them had an online dossier received in
-- [$year_start, $year_end) (an agency: its own provincial procedures; a commune or ward: every commune-level one).
WITH online AS (
    SELECT DISTINCT
        resolving_unit_code AS unit_code,
        procedure_code
    FROM fct_dossier
    WHERE channel = 'online' AND received_at >= $year_start AND received_at < $year_end
),

unknown_owner AS (
    SELECT count(*) AS n
    FROM dim_procedure
    WHERE authority_level = 'province' AND owner_unit_code IS NULL
)

SELECT
    u.unit_code,
    count(pr.procedure_code) AS full_online,
    count(o.procedure_code) AS with_dossiers
FROM dim_unit AS u
INNER JOIN dim_procedure AS pr
    ON
        pr.online_level = 'full'
        AND (
            (u.unit_group = 'agency' AND pr.authority_level = 'province' AND pr.owner_unit_code = u.unit_code)
            OR (u.unit_group <> 'agency' AND pr.authority_level = 'commune')
        )
LEFT JOIN online AS o ON u.unit_code = o.unit_code AND pr.procedure_code = o.procedure_code
CROSS JOIN unknown_owner
-- an ownerless provincial procedure: no agency's count is known
WHERE u.unit_group <> 'agency' OR unknown_owner.n = 0
GROUP BY ALL
