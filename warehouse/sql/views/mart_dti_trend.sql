-- DTI year over year per unit. Last year's total is the mart's previous_total (published results mapped to today's
-- units: a merged unit compares with the mean of its old units, a renamed one with its old name), never recomputed.
-- Last year's rank and band come from the same source as previous_total: the published results when the warehouse
-- holds them for last year (only when one published unit maps to the unit), else last year's rows of mart_dti_unit.
-- A rank compares only with a rank among as many units: last year's groups were not this year's (21 agencies
-- published, 14 today), so rank_change is given only where the group kept its size, and position_change (the place
-- in the group on a 0-100 scale, first = 100, last = 0) compares every unit.
WITH published AS (
    SELECT
        year + 1 AS year,
        unit_code,
        CASE WHEN count(DISTINCT published_name) = 1 THEN min(rank) END AS rank,
        CASE WHEN count(DISTINCT published_name) = 1 THEN min(level) END AS band
    FROM stg_dti_previous
    GROUP BY ALL
),

-- the size of each of last year's published groups: its ranked units (not the last rank: units tied last, often
-- those without a form at 0, share it), the group being that of today's units
published_sizes AS (
    SELECT
        s.year + 1 AS year,
        u.ranking_group,
        count(s.rank) AS units_in_group
    FROM stg_dti_previous AS s
    INNER JOIN dim_unit AS u ON s.unit_code = u.unit_code
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
        CASE WHEN y.year IS NULL THEN p.band ELSE pub.band END AS band,
        CASE WHEN y.year IS NULL THEN p.units_in_group ELSE z.units_in_group END AS units_in_group
    FROM mart_dti_unit AS c
    LEFT JOIN published_years AS y ON c.year = y.year
    LEFT JOIN published AS pub ON c.year = pub.year AND c.unit_code = pub.unit_code
    LEFT JOIN published_sizes AS z ON c.year = z.year AND c.ranking_group = z.ranking_group
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
    v.units_in_group AS previous_units_in_group,
    v.band AS previous_band,
    c.change AS total_change,
    CASE
        WHEN NOT coalesce(c.previous_merged, FALSE) AND c.units_in_group = v.units_in_group THEN v.rank - c.rank
    END AS rank_change,
    CASE WHEN NOT coalesce(c.previous_merged, FALSE) AND v.rank IS NOT NULL AND c.rank IS NOT NULL
            THEN round(
                    (
                        CASE
                            WHEN c.units_in_group > 1 THEN 100.0 * (c.units_in_group - c.rank) / (c.units_in_group - 1) ELSE 100
                        END
                    )
                    - (
                        CASE
                            WHEN v.units_in_group > 1 THEN 100.0 * (v.units_in_group - v.rank) / (v.units_in_group - 1) ELSE 100
                        END
                    ),
                    1
                )
    END AS position_change,
    lower(trim(c.band)) <> lower(trim(v.band)) AS band_changed,
    c.sort_key
FROM mart_dti_unit AS c
LEFT JOIN previous AS v ON c.year = v.year AND c.unit_code = v.unit_code
