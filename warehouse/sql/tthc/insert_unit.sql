-- One unit of the master data (sort_key is written by warehouse/labels.py).
INSERT INTO dim_unit BY NAME
SELECT
    $unit_code AS unit_code,
    $unit_name AS unit_name,
    $unit_group AS unit_group,
    $group_label AS group_label,
    $ranking_group AS ranking_group,
    $province AS province,
    $portal_code AS portal_code,
    $aliases AS aliases,
    $sort_order AS sort_order,
    $master_source AS master_source,
    $portal_department_id AS portal_department_id
