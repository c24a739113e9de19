-- DTI year over year per unit. Last year's total is the mart's previous_total (published results mapped to today's
-- units: a merged unit compares with the mean of its old units, a renamed one with its old name), never recomputed.
-- Last year's rank and band come from the same source as previous_total: the published results when the warehouse
-- holds them for last year (only when one published unit maps to the unit), else last year's rows of mart_dti_unit.
WITH published AS (
    SELECT
        year + 1 AS year,
        unit_code,
        CASE WHEN count(DISTINCT published_name) = 1 THEN min(rank) END AS rank,
        CASE WHEN count(DISTINCT published_name) = 1 THEN min(level) END AS band
    FROM stg_dti_previous
    GROUP BY ALL
),

published_years AS (
    SELECT DISTINCT year + 1 AS year
    FROM stg_dti_previous
),

previous AS (
    SELECT
        c.year,
        c.unit_code,
        CASE WHEN y.year IS NULL THEN p.rank ELSE pub.rank END AS rank,
        CASE WHEN y.year IS NULL THEN p.band ELSE pub.band END AS band
    FROM mart_dti_unit AS c
    LEFT JOIN published_years AS y ON c.year = y.year
    LEFT JOIN published AS pub ON c.year = pub.year AND c.unit_code = pub.unit_code
    LEFT JOIN mart_dti_unit AS p
        ON c.unit_code = p.unit_code AND p.year = c.year - 1 AND c.ranking_group = p.ranking_group
)

SELECT
    c.year,
    c.unit_code,
    c.unit_name,
    c.ranking_group,
    c.total,
    c.index_value,
    c.band,
    c.provisional,
    c.has_form,
    c.rank,
    c.is_tied,
    c.units_in_group,
    c.previous_total,
    c.previous_names,
    c.previous_merged,
    c.previous_renamed,
    v.rank AS previous_rank,
    v.band AS previous_band,
    c.change AS total_change,
    CASE WHEN NOT coalesce(c.previous_merged, FALSE) THEN v.rank - c.rank END AS rank_change,
    lower(trim(c.band)) <> lower(trim(v.band)) AS band_changed,
    c.sort_key
FROM mart_dti_unit AS c
LEFT JOIN previous AS v ON c.year = v.year AND c.unit_code = v.unit_code
