-- The Vietnamese sort key of every unit, from the temp table unit_labels (warehouse/labels.py); unchanged rows are
-- not written.
UPDATE dim_unit SET sort_key = l.sort_key
FROM unit_labels AS l
WHERE dim_unit.unit_code = l.code AND dim_unit.sort_key IS DISTINCT FROM l.sort_key
