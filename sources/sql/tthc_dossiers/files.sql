-- The readable exports of the batch; pseudonymised: a normalised copy, whose ID column already holds the key.
CREATE OR REPLACE TEMP TABLE _files (file_id INTEGER, export_date DATE, file_name VARCHAR, pseudonymised BOOLEAN)
