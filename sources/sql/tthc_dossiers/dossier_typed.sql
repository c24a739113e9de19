-- Typed rows. Fragments built from the source profile: dates (each date column parsed in the profile's formats),
-- vocab (each coded column's raw words mapped to codes), raw_copies (the raw text of dates and codes kept as
-- raw_<column>, to quote it in a reason). The ID number is kept only until it is keyed.
CREATE OR REPLACE TEMP TABLE _dossier_typed AS
SELECT
    r.file_id,
    r.line,
    f.export_date,
    f.file_name,
    nullif(trim(r.dossier_code), '') AS dossier_code,
    nullif(trim(r.procedure_code), '') AS procedure_code,
    nullif(trim(r.receiving_centre), '') AS receiving_centre,
    r.resolving_unit AS resolving_unit_raw,
    u.value AS resolving_unit_code,
    {{ dates }},
    {{ vocab }},
    try_cast(trim(r.supplement_requests) AS INTEGER) AS supplement_requests,
    try_cast(replace(replace(trim(r.fee_due), '.', ''), ',', '') AS BIGINT) AS fee_due,
    nullif(trim(r.applicant_id), '') AS _applicant_id,
    f.pseudonymised AS _pseudonymised,
    r._unreadable,
    {{ raw_copies }}
FROM _dossier_raw AS r INNER JOIN _files AS f USING (file_id) LEFT JOIN _lookup_unit AS u ON u.raw = r.resolving_unit
