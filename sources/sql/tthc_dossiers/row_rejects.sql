-- Hard rules, one SELECT each: a row breaking one is quarantined, with a Vietnamese reason and the offending value
-- (rows by their scan position pos; lines are worked out for the few quarantined ones).
-- fragment column_rules: a rule for each date and coded column of the source profile (a bad date, an unknown code
-- word, a text far longer than any real one), built in Python from the profile's columns, headers and formats.
-- $result_statuses: the statuses of a finished dossier; $stray_files: the files whose normalised copy marks invalid
-- bytes (see csvfiles.UNREADABLE). _misrouted_rows: the rows of another province (misrouted_rows.sql).
CREATE OR REPLACE TEMP TABLE _row_rejects AS
SELECT
    file_id,
    pos,
    'missing_dossier_code' AS rule,
    'Thiếu mã hồ sơ.' AS reason,
    NULL AS value
FROM _dossier_rows AS t
WHERE dossier_code IS NULL
UNION ALL
SELECT
    file_id,
    pos,
    'unknown_unit' AS rule,
    'Cơ quan giải quyết không có trong danh mục đơn vị: ''' || coalesce(resolving_unit_raw, '') || ''''
    || coalesce(
        '; có phải ''' || (
            SELECT value FROM _unit_suggestion AS s
            WHERE s.raw = t.resolving_unit_raw
        ) || '''?', ''
    ) || '.' AS reason,
    resolving_unit_raw AS value
FROM _dossier_rows AS t
WHERE
    resolving_unit_code IS NULL
    AND NOT EXISTS (
        SELECT 1 FROM _misrouted_rows AS m
        WHERE m.file_id = t.file_id AND m.pos = t.pos
    )
UNION ALL
-- A dossier of another province in this province's export (its code, receiving centre or unit says so).
SELECT
    file_id,
    pos,
    'other_province' AS rule,
    reason,
    value
FROM _misrouted_rows
UNION ALL
SELECT
    file_id,
    pos,
    'unknown_procedure' AS rule,
    'Mã TTHC không có trong danh mục thủ tục: ''' || coalesce(procedure_code, '') || '''.' AS reason,
    procedure_code AS value
FROM _dossier_rows AS t
WHERE procedure_code IS NULL OR procedure_code NOT IN (SELECT procedure_code FROM dim_procedure)
UNION ALL
{{ column_rules }}
UNION ALL
SELECT
    file_id,
    pos,
    'bad_count' AS rule,
    'Số lần yêu cầu bổ sung phải là số nguyên không âm, tối đa 3 chữ số: ''' || coalesce(raw_supplement_requests, '') || '''.'
        AS reason,
    raw_supplement_requests AS value
FROM _dossier_rows AS t
WHERE supplement_requests IS NULL OR supplement_requests < 0
UNION ALL
SELECT
    file_id,
    pos,
    'bad_amount' AS rule,
    'Phí, lệ phí phải là số tiền không âm, không bắt đầu bằng số 0: ''' || coalesce(raw_fee_due, '') || '''.' AS reason,
    raw_fee_due AS value
FROM _dossier_rows AS t
WHERE fee_due IS NULL OR fee_due < 0
UNION ALL
SELECT
    file_id,
    pos,
    'completed_before_received' AS rule,
    'Ngày hoàn thành (' || strftime(completed_at, '%d/%m/%Y %H:%M') || ') trước ngày tiếp nhận ('
    || strftime(received_at, '%d/%m/%Y %H:%M') || ').' AS reason,
    strftime(completed_at, '%d/%m/%Y %H:%M:%S') AS value
FROM _dossier_rows AS t
WHERE completed_at < received_at
UNION ALL
SELECT
    file_id,
    pos,
    'due_before_received' AS rule,
    'Ngày hẹn trả (' || strftime(due_at, '%d/%m/%Y %H:%M') || ') trước ngày tiếp nhận ('
    || strftime(received_at, '%d/%m/%Y %H:%M') || ').' AS reason,
    strftime(due_at, '%d/%m/%Y %H:%M:%S') AS value
FROM _dossier_rows AS t
WHERE due_at < received_at
UNION ALL
SELECT
    file_id,
    pos,
    'updated_before_received' AS rule,
    'Ngày cập nhật trước ngày tiếp nhận.' AS reason,
    strftime(updated_at, '%d/%m/%Y %H:%M:%S') AS value
FROM _dossier_rows AS t
WHERE updated_at < received_at
UNION ALL
SELECT
    file_id,
    pos,
    'finished_without_completion' AS rule,
    'Hồ sơ ở trạng thái đã hoàn thành nhưng thiếu ngày hoàn thành.' AS reason,
    raw_status AS value
FROM _dossier_rows AS t
WHERE list_contains($result_statuses, status) AND completed_at IS NULL
UNION ALL
-- A normalised copy carries the replacement character where the received file had invalid bytes.
SELECT
    file_id,
    pos,
    'malformed_line' AS rule,
    $bad_bytes_reason AS reason,
    NULL AS value
FROM _dossier_rows AS t
WHERE _unreadable AND list_contains($stray_files, file_id)
