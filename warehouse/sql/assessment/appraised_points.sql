-- The council's points per unit and criterion, or its "Không áp dụng" (not_applicable); a corrected file beside the
-- original: the file delivered last wins, its points and its not_applicable together (delivery_order,
-- warehouse/par.py; the file name only for rows loaded before it existed).
SELECT
    latest.unit_code,
    latest.code,
    latest.w.points AS appraised_points,
    coalesce(latest.w.not_applicable, FALSE) AS not_applicable
FROM (
    SELECT
        unit_code,
        code,
        arg_max(
            struct_pack(points := appraised_points, not_applicable := not_applicable),
            lpad(coalesce(delivery_order, 0)::VARCHAR, 6, '0') || source_file
        ) AS w
    FROM stg_assessment_appraisal
    WHERE year = $year AND index_code = $index_code
    GROUP BY ALL
) AS latest
