-- One file's lineage row (or a day without its file: status missing).
INSERT INTO landed_files BY NAME
SELECT
    $source AS source,
    $file_name AS file_name,
    $partition_date AS partition_date,
    $sha256 AS sha256,
    $size_bytes AS size_bytes,
    $encoding AS encoding,
    $status AS status,
    $rows_read AS rows_read,
    $rows_loaded AS rows_loaded,
    $rows_rejected AS rows_rejected,
    $first_loaded_at AS first_loaded_at,
    $loaded_at AS loaded_at,
    $pii_secret AS pii_secret
