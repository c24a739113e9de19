-- One scan over every readable file, all columns as text; insertion order is preserved, so rowid follows file order
-- and line order within each file. Fragments: scanned (the columns kept: never name, phone or address) and
-- unreadable (whether a row carries an unreadable byte). No line-size limit below the largest file ($max_line): a
-- 200 kB cell is a value, not a broken line.
CREATE OR REPLACE TEMP TABLE _scan AS
SELECT
    {{ scanned }},
    filename,
    {{ unreadable }} AS _unreadable
FROM read_csv(
        $paths, columns = $columns, header = TRUE, delim = ',', quote = '"', escape = '"',
        auto_detect = FALSE, filename = TRUE, store_rejects = TRUE, max_line_size = $max_line,
        rejects_table = '_csv_rejects', rejects_scan = '_csv_scans'
    )
