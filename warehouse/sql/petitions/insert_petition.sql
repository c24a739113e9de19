-- The petitions of a monthly PAKN export, from the frame of its rows (registered as _petition_rows), as loaded:
-- fct_petition counts a code in two months once (warehouse/petitions.py).
INSERT INTO stg_petition BY NAME
SELECT
    petition_code,
    unit_code,
    received_at,
    category,
    handling,
    due_at,
    completed_at,
    satisfaction,
    repeated,
    source_file,
    source_row
FROM _petition_rows
