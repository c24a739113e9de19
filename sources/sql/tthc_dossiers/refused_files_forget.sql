-- The files refused whole ($file_ids) are no longer the batch's readable files.
DELETE FROM _files
WHERE list_contains($file_ids, file_id)
