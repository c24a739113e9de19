INSERT INTO _files (file_id, export_date, file_name)
VALUES ($file_id, $export_date, $file_name)
