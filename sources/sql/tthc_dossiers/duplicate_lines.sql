-- Each verbatim copy: file, line, and the line of the copy kept.
SELECT
    f.file_name,
    _line(v.file_id, v.pos) AS line,
    _line(v.file_id, v.first_pos) AS first_line
FROM _verbatim AS v INNER JOIN _files AS f USING (file_id)
ORDER BY 1, 2
