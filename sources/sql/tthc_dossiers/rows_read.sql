-- Data lines read per file, malformed ones included.
SELECT f.file_name, coalesce(s.rows, 0) + (SELECT count(*) FROM _malformed m WHERE m.file_id = f.file_id)
FROM _files f LEFT JOIN _starts s USING (file_id)
