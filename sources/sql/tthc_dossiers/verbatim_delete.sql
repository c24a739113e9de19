DELETE FROM _dossier_typed t
WHERE (t.file_id, t.line) IN (SELECT (file_id, line) FROM _verbatim)
