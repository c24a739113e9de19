-- The key of each year the receipt dates may fall in, as HMAC pads (inserted as parameters: no key in SQL text).
CREATE OR REPLACE TEMP TABLE _pii_pads (year INTEGER, inner_pad BLOB, outer_pad BLOB)
