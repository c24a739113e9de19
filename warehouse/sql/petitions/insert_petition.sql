-- The petitions of a monthly PAKN export, from the frame of its rows (registered as _petition_rows).
INSERT INTO fct_petition BY NAME
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
