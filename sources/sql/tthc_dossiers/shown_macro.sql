-- A value as the quarantine keeps it: a 200 kB cell (a pasted document) is cut to its first 300 characters with its
-- length, so a report or a query of the quarantine stays readable.
CREATE OR REPLACE TEMP MACRO _shown(x) AS (  -- noqa: CP05
    CASE WHEN length(x) > 300 THEN left(x, 300) || '… (' || length(x) || ' ký tự)' ELSE x END
)
