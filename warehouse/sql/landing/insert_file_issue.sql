-- One problem of a whole file (warehouse/landing.py: file_issue_rows).
INSERT INTO file_issues BY NAME
SELECT
    $source AS source,
    $file_name AS file_name,
    $partition_date AS partition_date,
    $rule AS rule,
    $reason AS reason,
    $blocking AS blocking,
    $loaded_at AS loaded_at,
    $unit_code AS unit_code,
    $year AS year,
    $period_label AS period_label,
    $index_code AS index_code,
    $criterion_code AS criterion_code,
    $endpoint AS endpoint,
    $captured_at AS captured_at
