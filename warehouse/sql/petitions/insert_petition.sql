-- One petition of a monthly PAKN export.
INSERT INTO fct_petition BY NAME
SELECT
    $petition_code AS petition_code,
    $unit_code AS unit_code,
    $received_at AS received_at,
    $category AS category,
    $handling AS handling,
    $due_at AS due_at,
    $completed_at AS completed_at,
    $satisfaction AS satisfaction,
    $repeated AS repeated,
    $source_file AS source_file,
    $source_row AS source_row
