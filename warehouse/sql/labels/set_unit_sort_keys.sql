-- The Vietnamese sort key and the name without diacritics (search_name) of every unit, from the temp table
-- unit_labels (warehouse/labels.py); unchanged rows are not written.
UPDATE dim_unit SET sort_key = l.sort_key, search_name = l.search_name
FROM unit_labels AS l
WHERE
    dim_unit.unit_code = l.code
    AND (dim_unit.sort_key IS DISTINCT FROM l.sort_key OR dim_unit.search_name IS DISTINCT FROM l.search_name)
