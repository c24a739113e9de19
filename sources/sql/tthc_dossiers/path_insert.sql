INSERT INTO _paths (file_id, path) VALUES ($file_id, $path)
