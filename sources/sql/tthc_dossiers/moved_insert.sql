INSERT INTO _moved (file_id, line, physical) VALUES ($file_id, $line, $physical)
