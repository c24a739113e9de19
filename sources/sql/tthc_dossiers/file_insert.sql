INSERT INTO _files (file_id, export_date, file_name, pseudonymised)
VALUES ($file_id, $export_date, $file_name, $pseudonymised)
