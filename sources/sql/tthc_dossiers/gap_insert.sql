INSERT INTO _gaps (file_id, line) VALUES ($file_id, $line)
