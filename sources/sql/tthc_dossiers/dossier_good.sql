-- The rows that break no rule, with their line (as _line works it out, here as joins over millions of rows) and the
-- applicant key of the scan where the receipt year has one (fragments first_year, last_year: PSEUDONYM_YEARS; the
-- batch's own key of the other rows only compared them) and a copy's ID column did not hold the unreadable mark of
-- a broken ID (no key, as for a bad date): fragment unreadable_mark, a literal, as a view takes no parameter; nor a
-- value that is no ID number (_id_unshaped: its lines are named, unkeyed_lines.sql). A receiving centre longer
-- than centre_limit (a pasted document) is cut (its lines named, cut_lines.sql).
CREATE OR REPLACE TEMP VIEW _dossier_good AS
SELECT
    export_date,
    file_name AS source_file,
    (t.pos - s.first_pos + 2 + coalesce(c.shift, 0))::INTEGER AS source_row,
    dossier_code,
    procedure_code,
    CASE
        WHEN length(receiving_centre) > {{ centre_limit }} THEN left(receiving_centre, {{ centre_limit }}) || '…'
        ELSE receiving_centre
    END AS receiving_centre,
    resolving_unit_code,
    channel,
    received_at,
    due_at,
    completed_at,
    status,
    supplement_requests,
    digitised,
    electronic_result,
    fee_due,
    paid_online,
    reused_data,
    citizen_data_used,
    synced_to_portal,
    satisfaction,
    updated_at,
    CASE
        WHEN
            year(t.received_at) BETWEEN {{ first_year }} AND {{ last_year }}
            AND NOT contains(t._applicant_key, {{ unreadable_mark }})
            AND NOT t._id_unshaped
            THEN t._applicant_key
    END AS applicant_key
FROM _dossier_rows AS t
INNER JOIN _starts AS s ON t.file_id = s.file_id
LEFT JOIN _shifts AS c
    ON t.file_id = c.file_id AND t.pos - s.first_pos BETWEEN c.at_idx AND coalesce(c.to_idx, t.pos)
WHERE NOT EXISTS (
        SELECT 1 FROM _row_rejects AS x
        WHERE x.file_id = t.file_id AND x.pos = t.pos
    )
