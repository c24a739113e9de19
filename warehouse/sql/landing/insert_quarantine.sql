-- One rejected row, with what the loader knows of its file (warehouse/landing.py: quarantine_row).
INSERT INTO quarantine BY NAME
SELECT
    $source AS source,
    $file_name AS file_name,
    $partition_date AS partition_date,
    $row_number AS row_number,
    $unit_code AS unit_code,
    $unit_name AS unit_name,
    $record_key AS record_key,
    $rule AS rule,
    $reason AS reason,
    $value AS value,
    $loaded_at AS loaded_at,
    $year AS year,
    $period_label AS period_label,
    $index_code AS index_code,
    $criterion_code AS criterion_code,
    $endpoint AS endpoint,
    $captured_at AS captured_at
