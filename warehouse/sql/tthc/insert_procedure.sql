-- One procedure of the catalogue.
INSERT INTO dim_procedure BY NAME
SELECT
    $procedure_code AS procedure_code,
    $procedure_name AS procedure_name,
    $field AS field,
    $authority_level AS authority_level,
    $online_level AS online_level,
    $fee_bearing AS fee_bearing,
    $owner_unit_code AS owner_unit_code,
    $payment_integrated AS payment_integrated,
    $source_file AS source_file,
    $source_row AS source_row
