-- Data lines read per file, malformed ones included, records without any value (_blank) not.
SELECT
    f.file_name,
    coalesce(s.rows, 0) + (
        SELECT count(*) FROM _malformed AS m
        WHERE m.file_id = f.file_id
    ) - (
        SELECT count(*) FROM _blank AS b
        WHERE b.file_id = f.file_id
    ) AS rows_read
FROM _files AS f LEFT JOIN _starts AS s USING (file_id)
