-- The columns of the typed rows, in order.
SELECT column_name FROM duckdb_columns()
WHERE database_name = 'temp' AND table_name = '_dossier_typed'
ORDER BY column_index
