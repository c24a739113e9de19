-- The current state of every touched dossier: its latest version (updated_at, then export day, then line). The
-- latest version is found as a small key (export day, line) by arg_max, then joined back: three times faster than
-- carrying the whole row through the aggregate, and no sort as a window would need. The order is one HUGEINT
-- (microseconds of updated_at, then the export day, then the line, each in its own bits): comparing it costs a
-- fraction of comparing a (timestamp, date, line) struct. $finished: the statuses that end a dossier
-- (sources/tthc_format.FINISHED_STATUSES).
INSERT INTO fct_dossier BY NAME
WITH latest AS (
    SELECT
        v.dossier_code,
        arg_max(v.export_date, v.version_order) AS export_date,
        arg_max(v.source_row, v.version_order) AS source_row,
        min(v.export_date) AS first_export_date,
        max(v.export_date) AS last_export_date,
        count(*)::INTEGER AS version_count,
        -- when the supplement was asked for (the clock of 2.1 stops while the applicant supplements)
        min(v.updated_at) FILTER (WHERE v.status = 'awaiting_supplement') AS supplement_requested_at,
        -- when the refusal was recorded (its first version): a later touch of the record does not move it
        min(v.updated_at) FILTER (WHERE v.status = 'refused') AS refused_at
    FROM (
        -- Bits: the line (an INTEGER, below 2^31) in the low 32, the export day (days since 1970 + 2^20, below
        -- 2^21 for any year 0-4000) in the next 21, the microseconds (a BIGINT, negative before 1970) above: 127
        -- bits in all. Multiplied, not shifted: DuckDB refuses to shift a negative number.
        SELECT
            s.dossier_code,
            s.export_date,
            s.source_row,
            s.status,
            s.updated_at,
            epoch_us(s.updated_at)::HUGEINT * 9007199254740992
            + (date_diff('day', DATE '1970-01-01', s.export_date) + 1048576)::HUGEINT * 4294967296
            + s.source_row AS version_order
        FROM stg_dossier_versions AS s
    ) AS v
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
    -- a refusal without a completion time (systems often leave it empty) ended when it was recorded (refused_at)
    CASE
        WHEN list_contains($finished, v.status) AND v.completed_at IS NOT NULL THEN v.completed_at <= v.due_at
        WHEN v.status = 'refused' THEN coalesce(l.refused_at, v.updated_at) <= v.due_at
    END AS finished_on_time,
    l.first_export_date,
    l.last_export_date,
    l.version_count,
    l.supplement_requested_at,
    l.refused_at
FROM latest AS l
INNER JOIN stg_dossier_versions AS v
    ON l.dossier_code = v.dossier_code AND l.export_date = v.export_date AND l.source_row = v.source_row
