-- Malformed lines numbered as in the file (_moved).
UPDATE _malformed SET line = m.physical
FROM _moved AS m
WHERE _malformed.file_id = m.file_id AND _malformed.line = m.line
