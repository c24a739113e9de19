-- Duplicate codes within one file: the latest update stays and the older copies are rejected; copies that share the
-- latest update time conflict, so all of them are rejected rather than one picked silently (and an older copy's
-- reason then names no kept line).
INSERT INTO _row_rejects BY NAME
SELECT
    file_id,
    pos,
    CASE WHEN tied > 1 AND updated_at = latest THEN 'duplicate_conflict' ELSE 'duplicate_in_file' END AS rule,
    CASE
        WHEN tied > 1 AND updated_at = latest
            THEN 'Mã hồ sơ xuất hiện nhiều lần trong tệp với cùng ngày cập nhật; không tự chọn, loại mọi bản.'
        WHEN tied > 1
            THEN 'Mã hồ sơ xuất hiện nhiều lần trong tệp; các bản mới nhất trùng ngày cập nhật nên đều bị loại, '
                || 'bản cũ hơn này cũng không được nạp.'
        ELSE 'Mã hồ sơ xuất hiện nhiều lần trong tệp; giữ bản cập nhật mới nhất (dòng ' || _line(file_id, keep_pos) || ').'
    END AS reason,
    dossier_code AS value
FROM (
    SELECT
        file_id,
        pos,
        dossier_code,
        updated_at,
        first_value(pos) OVER w AS keep_pos,
        row_number() OVER w AS rank,
        count(*) OVER d AS copies,
        max(updated_at) OVER d AS latest,
        sum(CASE WHEN updated_at = latest_u THEN 1 ELSE 0 END) OVER d AS tied
    FROM (
        SELECT
            t.*,
            max(updated_at) OVER (PARTITION BY t.file_id, t.dossier_code) AS latest_u
        FROM _dossier_rows AS t SEMI JOIN _repeated AS x ON x.file_id = t.file_id AND x.dossier_code = t.dossier_code
    ) AS t
    WHERE
        dossier_code IS NOT NULL
        AND NOT EXISTS (
            SELECT 1 FROM _row_rejects AS x
            WHERE x.file_id = t.file_id AND x.pos = t.pos
        )
    WINDOW
        w AS (PARTITION BY file_id, dossier_code ORDER BY updated_at DESC NULLS LAST, pos DESC),
        d AS (PARTITION BY file_id, dossier_code)
) AS ranked
WHERE copies > 1 AND (rank > 1 OR tied > 1)
