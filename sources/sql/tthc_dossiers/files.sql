-- The readable exports of the batch.
CREATE OR REPLACE TEMP TABLE _files (file_id INTEGER, export_date DATE, file_name VARCHAR)
