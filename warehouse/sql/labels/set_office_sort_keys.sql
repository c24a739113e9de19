-- The Vietnamese sort key of every office, from the temp table unit_labels (warehouse/labels.py); unchanged rows are
-- not written.
UPDATE dim_office SET sort_key = l.sort_key
FROM unit_labels AS l
WHERE dim_office.office_code = l.code AND dim_office.sort_key IS DISTINCT FROM l.sort_key
