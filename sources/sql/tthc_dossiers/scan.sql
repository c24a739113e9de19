-- One scan over every readable file, typed as it is read (no table of raw text: the cost stays close to a bare
-- read). A single table in the FROM clause keeps the files' order and their lines' order, so rowid is the row's
-- place in the scan, from which its line in the received file follows (_line). file_index is the file's place in
-- $paths, i.e. its file_id. Fragments built from the source profile:
--   source: read_csv over $paths (never name, phone or address: projected out), or an empty relation of that shape,
--     with each date column parsed once in the profile's formats (_parsed_<column>: the usual one first, trimmed and
--     the others after);
--   dates: each parsed date kept from the year 1000 (DuckDB's %Y also takes '26'), a due date without a time at the
--     end of its day;
--   counts: the count and the amount, digits only;
--   invisible: the characters a code never holds but a paste may bring (BOM, zero-width characters, a tab or line
--     break copied with the cell: CODE_NOISE), removed;
--   vocab: each coded column's exact code words mapped to codes (other spellings: mapped after the scan);
--   raw_copies: the raw text of a date, code or count column kept only where it does not type (to quote it);
--   unreadable: whether the row carries an unreadable byte;
--   applicant_key: the ID number keyed as it is read (common/pii.py, hmac_sql), so no table ever holds it: with the
--     key of its receipt year, or with a key of this batch alone where the year has none (only to compare rows:
--     never loaded, see _dossier_good); a normalised copy's column already holds the key;
--   id_unshaped: whether the ID column holds something other than an ID number (common/pii.py, is_id_number): not
--     keyed, its lines named in a notice;
--   dossier_code: a code that is a citizen's phone or ID number instead (common/pii.py, is_personal_number) keyed
--     as the ID is, after CODE_MARK, so no table holds it (a copy's column holds the key already).
-- The outer SELECT only adds the keys: a projection, which keeps the order.
CREATE OR REPLACE TEMP TABLE _dossier_typed AS
SELECT
    * EXCLUDE (_applicant_id) REPLACE ({{ dossier_code }} AS dossier_code),
    {{ id_unshaped }} AS _id_unshaped,
    {{ applicant_key }} AS _applicant_key
FROM (
    SELECT
        s.file_index::INTEGER AS file_id,
        nullif(trim(translate(s.dossier_code, {{ invisible }}, '')), '') AS dossier_code,
        nullif(trim(translate(s.procedure_code, {{ invisible }}, '')), '') AS procedure_code,
        nullif(trim(s.receiving_centre), '') AS receiving_centre,
        s.resolving_unit AS resolving_unit_raw,
        {{ dates }},
        {{ vocab }},
        {{ counts }},
        nullif(trim(s.applicant_id), '') AS _applicant_id,
        {{ unreadable }} AS _unreadable,
        {{ raw_copies }}
    FROM {{ source }} AS s
) AS typed
