-- The rows of a file whose clues point to another province (rule other_province of row_rejects.sql).
CREATE OR REPLACE TEMP TABLE _misrouted_rows AS
SELECT
    t.file_id,
    t.pos,
    m.reason,
    t.dossier_code AS value
FROM _dossier_rows AS t INNER JOIN _misrouted AS m
    ON
        t.file_id = m.file_id
        AND _code_prefix(t.dossier_code) IS NOT DISTINCT FROM m.prefix
        AND t.receiving_centre IS NOT DISTINCT FROM m.centre
        AND t.resolving_unit_raw IS NOT DISTINCT FROM m.unit
