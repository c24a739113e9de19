-- Records without any value (",,,,,": Excel saves formatted empty rows so) are no rows, as a blank line is none:
-- neither loaded nor rejected, their lines named in a notice (blank_lines.sql). Fragment all_null: "t.<column> IS
-- NULL" for every typed column but the file and the flags (a value that does not type keeps its raw text, so a row
-- with anything in it is never blank).
CREATE OR REPLACE TEMP TABLE _blank AS
SELECT
    t.file_id,
    t.rowid AS pos
FROM _dossier_typed AS t
WHERE t.dossier_code IS NULL AND {{ all_null }}
