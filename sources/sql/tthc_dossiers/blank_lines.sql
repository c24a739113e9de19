-- Each record without any value (_blank): file and line.
SELECT
    f.file_name,
    _line(b.file_id, b.pos) AS line
FROM _blank AS b INNER JOIN _files AS f USING (file_id)
ORDER BY 1, 2
