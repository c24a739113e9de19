-- The rows of the files refused whole ($file_ids: another province's export) leave the batch.
DELETE FROM _dossier_typed
WHERE list_contains($file_ids, file_id)
