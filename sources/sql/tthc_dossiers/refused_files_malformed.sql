-- The malformed lines of the files refused whole ($file_ids) are not quarantined.
DELETE FROM _malformed
WHERE list_contains($file_ids, file_id)
