-- Lines repeating the header (two exports pasted together): their dossier code and status are the columns' own
-- headers ($code_headers, $status_headers: header and aliases, lower case). One reason for such a line, not one per
-- column (header_line_rejects).
CREATE OR REPLACE TEMP TABLE _header_lines AS
SELECT
    file_id,
    pos
FROM _dossier_rows
WHERE
    list_contains($code_headers, lower(dossier_code))
    AND list_contains($status_headers, lower(trim(raw_status)))
