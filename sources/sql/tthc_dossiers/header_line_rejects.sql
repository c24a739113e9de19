-- A line repeating the header keeps one reason (its other rules only restate that it is not data).
DELETE FROM _row_rejects AS r
USING _header_lines AS h
WHERE r.file_id = h.file_id AND r.pos = h.pos
