-- The current state of every touched dossier: its latest version (updated_at, then export day, then line). The
-- latest version is found as a small key (export day, line) by arg_max, then joined back: three times faster than
-- carrying the whole row through the aggregate, and no sort as a window would need. $finished: the statuses that
-- end a dossier (sources/tthc_format.FINISHED_STATUSES).
INSERT INTO fct_dossier BY NAME
WITH latest AS (
    SELECT
        v.dossier_code,
        arg_max(v.export_date, (v.updated_at, v.export_date, v.source_row)) AS export_date,
        arg_max(v.source_row, (v.updated_at, v.export_date, v.source_row)) AS source_row,
        min(v.export_date) AS first_export_date,
        max(v.export_date) AS last_export_date,
        count(*)::INTEGER AS version_count
    FROM stg_dossier_versions AS v
    SEMI JOIN _touched AS t ON v.dossier_code = t.dossier_code
    GROUP BY v.dossier_code
)

SELECT
    v.dossier_code,
    v.procedure_code,
    v.receiving_centre,
    v.resolving_unit_code,
    v.channel,
    v.received_at,
    v.due_at,
    v.completed_at,
    v.status,
    v.supplement_requests,
    v.digitised,
    v.electronic_result,
    v.fee_due,
    v.paid_online,
    v.reused_data,
    v.citizen_data_used,
    v.synced_to_portal,
    v.satisfaction,
    v.updated_at,
    v.applicant_key,
    list_contains($finished, v.status) AS is_finished,
    CASE
        WHEN list_contains($finished, v.status) AND v.completed_at IS NOT NULL THEN v.completed_at <= v.due_at
    END AS finished_on_time,
    l.first_export_date,
    l.last_export_date,
    l.version_count
FROM latest AS l
INNER JOIN stg_dossier_versions AS v
    ON l.dossier_code = v.dossier_code AND l.export_date = v.export_date AND l.source_row = v.source_row
