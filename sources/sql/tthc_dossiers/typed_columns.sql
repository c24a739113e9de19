SELECT column_name FROM (DESCRIBE _dossier_typed)
