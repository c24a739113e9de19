-- One procedure of one publication decision.
INSERT INTO fct_procedure_publication BY NAME
SELECT
    $decision_number AS decision_number,
    $decision_date AS decision_date,
    $procedure_code AS procedure_code,
    $legal_effective_date AS legal_effective_date,
    $made_public_date AS made_public_date,
    $parts_complete AS parts_complete,
    $missing_parts AS missing_parts,
    $source_file AS source_file,
    $source_row AS source_row
