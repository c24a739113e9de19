-- Quarantine rows with the short Vietnamese name of their rule: sources/rule_labels.rule_label in SQL, where
-- "bad_date:received_at" names its column by the file's header. The rows of labels and headers come from
-- sources/rule_labels.py (warehouse/schema.py fills them in).
WITH labels (rule, label) AS (VALUES {{ rule_labels }}),

headers (col, header) AS (VALUES {{ column_headers }}),

parts AS (
    SELECT
        *,
        split_part(rule, ':', 1) AS _kind,
        CASE WHEN contains(rule, ':') THEN substr(rule, strpos(rule, ':') + 1) ELSE '' END AS _col
    FROM quarantine
)

SELECT
    p.* EXCLUDE (_kind, _col),
    CASE
        WHEN p._kind = 'bad_date' THEN 'Sai định dạng ngày: ' || coalesce(h.header, p._col)
        WHEN p._kind = 'bad_value' THEN 'Giá trị không hợp lệ: ' || coalesce(h.header, p._col)
        WHEN p._col <> '' AND k.label IS NOT NULL THEN k.label || ': ' || coalesce(h.header, p._col)
        ELSE f.label
    END AS rule_label
FROM parts AS p
LEFT JOIN labels AS k ON p._kind = k.rule
LEFT JOIN labels AS f ON p.rule = f.rule
LEFT JOIN headers AS h ON p._col = h.col
