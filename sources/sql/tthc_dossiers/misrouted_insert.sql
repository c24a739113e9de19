-- One clue of a row of another province (misrouted.sql).
INSERT INTO _misrouted (file_id, prefix, centre, unit, reason) VALUES ($file_id, $prefix, $centre, $unit, $reason)
