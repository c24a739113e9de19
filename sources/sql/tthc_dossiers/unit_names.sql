-- The unit names of the batch, matched once each in Python (_lookup_unit).
SELECT DISTINCT resolving_unit_raw FROM _dossier_typed
WHERE resolving_unit_raw IS NOT NULL
