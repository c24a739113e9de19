-- One row per broken rule of a line, and one per malformed line, in the shape of the quarantine (long values cut:
-- _shown, shown_macro.sql).
CREATE OR REPLACE TEMP TABLE _dossier_rejects AS
SELECT
    'tthc_dossier' AS source,
    f.file_name,
    f.export_date AS partition_date,
    _line(x.file_id, x.pos) AS row_number,
    -- (a dossier of another province is no unit's of this one, even when its unit's bare name matched one)
    CASE WHEN x.rule != 'other_province' THEN t.resolving_unit_code END AS unit_code,
    _shown(t.resolving_unit_raw) AS unit_name,
    -- (a code without any digit, or holding words, is something else typed there, often a name or an address: not
    -- quoted; a pseudonym, ~ and the letters a-p, $code_pattern, is quoted)
    CASE
        WHEN x.rule = 'code_with_words:dossier_code' THEN NULL
        WHEN regexp_matches(t.dossier_code, '[0-9]') OR regexp_full_match(t.dossier_code, $code_pattern)
            THEN _shown(t.dossier_code)
    END AS record_key,
    x.rule,
    _shown(x.reason) AS reason,
    _shown(x.value) AS value
FROM _row_rejects AS x INNER JOIN _files AS f USING (file_id)
LEFT JOIN _dossier_rows AS t ON t.file_id = x.file_id AND t.pos = x.pos
UNION ALL
SELECT
    'tthc_dossier' AS source,
    f.file_name,
    f.export_date AS partition_date,
    m.line AS row_number,
    NULL AS unit_code,
    NULL AS unit_name,
    NULL AS record_key,
    'malformed_line' AS rule,
    CASE m.error
        WHEN 'INVALID ENCODING' THEN 'Dòng có ký tự không phải UTF-8; đề nghị xuất lại tệp.'
        WHEN 'MISSING COLUMNS' THEN 'Dòng thiếu cột (tệp có thể bị cắt cụt).'
        WHEN 'TOO MANY COLUMNS' THEN 'Dòng thừa cột (dấu phẩy trong giá trị không được đặt trong ngoặc kép).'
        WHEN 'UNQUOTED VALUE' THEN 'Dòng có dấu ngoặc kép đặt sai chỗ (giá trị có dấu " phải được đặt trong ngoặc kép).'
        WHEN 'LINE SIZE OVER MAXIMUM' THEN 'Dòng quá dài, không đọc được; đề nghị xuất lại tệp.'
        ELSE 'Dòng không đúng cấu trúc CSV (mã lỗi của bộ đọc: ' || m.error || ').'
    END AS reason,
    NULL AS value
FROM _malformed AS m INNER JOIN _files AS f USING (file_id)
