-- QĐ 766 counts from the dossiers, per (period, unit) of _period_months (warehouse/qd766.py), as of $as_of.
-- Two steps: counts per (unit, month, procedure) in one pass over the dossiers, then periods as sums of months;
-- distinct-procedure measures become counts of procedures with a non-zero count (no join fans out the dossiers).
WITH by_month AS (
    SELECT
        f.resolving_unit_code AS unit_code,
        date_trunc('month', f.received_at)::DATE AS month,
        f.procedure_code,
        count(*) AS dossiers,
        count(*) FILTER (WHERE status <> 'withdrawn') AS received,
        -- on time: finished by the due date, or in progress and not yet due; awaiting the applicant's supplement and
        -- asked for it before the due date (the time of supplementing is not counted: the clock stopped then); more
        -- than one supplement request is late; a finished dossier as fct_dossier.finished_on_time judges it (one rule:
        -- a refusal without a completion time ended when it was first recorded)
        count(*) FILTER (WHERE status <> 'withdrawn' AND supplement_requests <= 1 AND CASE
            WHEN status IN ('completed', 'returned', 'refused') THEN finished_on_time
            WHEN status = 'awaiting_supplement' THEN coalesce(supplement_requested_at, $as_of) <= due_at
            ELSE due_at >= $as_of
        END) AS on_time,
        count(*) FILTER (WHERE status IN ('completed', 'returned')) AS completed,
        -- whole seconds summed as integers: a sum of doubles depends on the threads' order (reruns differed in the
        -- last digit)
        sum(date_diff('second', received_at, completed_at)) FILTER (WHERE status IN ('completed', 'returned'))
            AS processing_seconds,
        count(*) FILTER (WHERE channel = 'online') AS online_dossiers,
        count(*) FILTER (WHERE fee_due > 0) AS fee_dossiers,
        -- paid online: of the dossiers with a fee (3.6's denominator), never one flagged paid without one
        count(*) FILTER (WHERE paid_online AND fee_due > 0) AS paid_dossiers,
        count(*) FILTER (WHERE synced_to_portal) AS synced,
        count(synced_to_portal) AS synced_known,
        count(*) FILTER (WHERE status IN ('completed', 'returned') AND electronic_result) AS e_results,
        count(*) FILTER (WHERE digitised) AS digitised,
        count(*) FILTER (WHERE reused_data) AS reused,
        -- 4.4: a component from the applicant's store on the portal (reused data of an online dossier), or an
        -- electronic result synced to the portal (so to the applicant's store)
        count(*) FILTER (
            WHERE (reused_data AND channel = 'online')
            OR (status IN ('completed', 'returned') AND electronic_result AND synced_to_portal)
        ) AS personal_store,
        count(*) FILTER (WHERE citizen_data_used) AS citizen_data,
        -- dislikes of the dossiers 5.4 is a share of (a withdrawn dossier is out of `received`, so out of this too)
        count(*) FILTER (WHERE status IN ('completed', 'returned', 'refused') AND satisfaction = 'dissatisfied')
            AS dissatisfied
    FROM fct_dossier AS f
    WHERE f.received_at <= $as_of AND date_trunc('month', f.received_at)::DATE IN (SELECT month FROM _period_months)
    GROUP BY ALL
)

SELECT
    pm.period_label,
    b.unit_code,
    sum(dossiers) AS dossiers,
    sum(received) AS received,
    sum(on_time) AS on_time,
    sum(completed) AS completed,
    sum(processing_seconds) / 86400.0 AS processing_days,
    sum(online_dossiers) AS online_dossiers,
    sum(fee_dossiers) AS fee_dossiers,
    sum(paid_dossiers) AS paid_dossiers,
    -- an export without the sync column leaves 1.4 unknown (NULL), never 0
    CASE WHEN sum(synced_known) = sum(dossiers) THEN sum(synced) END AS synced,
    sum(e_results) AS e_results,
    sum(digitised) AS digitised,
    sum(reused) AS reused,
    sum(personal_store) AS personal_store,
    sum(citizen_data) AS citizen_data,
    sum(dissatisfied) AS dissatisfied,
    count(DISTINCT b.procedure_code) FILTER (WHERE pr.online_level <> 'none') AS online_formalities_with_dossiers,
    count(DISTINCT b.procedure_code) FILTER (WHERE paid_dossiers > 0) AS paid_formalities,
    count(DISTINCT b.procedure_code) FILTER (WHERE citizen_data > 0) AS citizen_data_formalities,
    count(DISTINCT b.procedure_code) AS formalities_with_dossiers
FROM by_month AS b
INNER JOIN _period_months AS pm USING (month)
LEFT JOIN dim_procedure AS pr USING (procedure_code)
GROUP BY ALL
