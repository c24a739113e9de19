-- The clues of a file's rows that point to another province (province_clues.sql), with the reason of their rejection.
CREATE OR REPLACE TEMP TABLE _misrouted (
    file_id INTEGER, prefix VARCHAR, centre VARCHAR, unit VARCHAR, reason VARCHAR
)
