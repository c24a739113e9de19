-- The province code a dossier code starts with ('H55' of 'H55.111-261016-0001', the province's code on the national
-- portal, masterdata/portal_provinces.csv), also after the agency's groups of the national format ('H60' of
-- '000.00.22.H60-260105-0001'); NULL when it has none.
CREATE OR REPLACE TEMP MACRO _code_prefix(code) AS (  -- noqa: CP05
    nullif(upper(regexp_extract(code, '^(?:[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.)?([A-Za-z][0-9]{2})[.-]', 1)), '')
)
