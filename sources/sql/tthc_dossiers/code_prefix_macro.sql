-- The province code a dossier code starts with ('H55' of 'H55.111-261016-0001', the province's code on the national
-- portal, masterdata/portal_provinces.csv); NULL when it starts with none.
CREATE OR REPLACE TEMP MACRO _code_prefix(code) AS (  -- noqa: CP05
    nullif(upper(regexp_extract(code, '^([A-Za-z][0-9]{2})[.-]', 1)), '')
)
