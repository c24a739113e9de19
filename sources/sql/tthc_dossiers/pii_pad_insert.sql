INSERT INTO _pii_pads (year, inner_pad, outer_pad) VALUES ($year, $inner_pad, $outer_pad)
