-- PAR index year over year per unit: each year of mart_par_unit beside the same unit's row of the year before. A unit
-- without a row last year (new, or formed by the 2025 reorganisation) has no previous values and no change.
-- Scores are compared only when the unit had a usable self-assessment both years (otherwise it is not ranked either).
SELECT
    c.year,
    c.unit_code,
    c.unit_name,
    c.ranking_group,
    c.total,
    c.index_pct,
    c.band,
    c.provisional,
    c.has_form,
    c.rank,
    c.is_tied,
    c.units_in_group,
    p.total AS previous_total,
    p.index_pct AS previous_index_pct,
    p.band AS previous_band,
    p.rank AS previous_rank,
    p.units_in_group AS previous_units_in_group,
    CASE WHEN c.has_form AND p.has_form THEN round(c.total - p.total, 2) END AS total_change,
    CASE WHEN c.has_form AND p.has_form THEN round(c.index_pct - p.index_pct, 2) END AS index_change,
    CASE WHEN c.ranking_group = p.ranking_group THEN p.rank - c.rank END AS rank_change,
    c.band <> p.band AS band_changed,
    c.sort_key
FROM mart_par_unit AS c
LEFT JOIN mart_par_unit AS p ON c.unit_code = p.unit_code AND p.year = c.year - 1
