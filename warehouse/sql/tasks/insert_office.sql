-- One office of the department (sort_key is written by warehouse/labels.py).
INSERT INTO dim_office BY NAME
SELECT
    $office_code AS office_code,
    $office_name AS office_name,
    $kind AS kind,
    $parent_unit_code AS parent_unit_code,
    $aliases AS aliases,
    $sort_order AS sort_order
