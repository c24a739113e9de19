-- Each verbatim copy: file, line, and the line of the copy kept.
SELECT f.file_name, v.line, v.first_line FROM _verbatim v JOIN _files f USING (file_id)
ORDER BY 1, 2
