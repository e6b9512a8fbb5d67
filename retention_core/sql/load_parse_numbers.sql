-- Parse one text column as numbers written with a given decimal mark ("1.234,56" or "1,234.56").
-- Currency signs and codes, spaces and apostrophes are ignored; a leading or trailing minus or parentheses mean
-- negative ("12,50-" as in SAP exports, "(12.50)" as in accounting).
-- Tables: raw(position BIGINT, value VARCHAR), values already trimmed, missing values NULL.
-- Parameters: $strip_pattern, $number_pattern (unsigned number in this notation), $thousands_separator,
--   $decimal_mark.
-- Output: number DOUBLE (NULL where the value is missing or is not a number in this notation, and where its digits
--   are too many for a double, which would be infinity), in position order.
WITH unsigned AS (
    SELECT
        position,
        regexp_replace(value, $strip_pattern, '', 'g') AS text,
        regexp_replace(text, '^[-+(]|[-)]$', '', 'g') AS digits,
        starts_with(text, '-') OR ends_with(text, '-') OR starts_with(text, '(') AS negative
    FROM raw
),
parsed AS (
    SELECT
        position,
        CASE WHEN regexp_full_match(digits, $number_pattern)
            THEN TRY_CAST(replace(replace(digits, $thousands_separator, ''), $decimal_mark, '.') AS DOUBLE)
                * CASE WHEN negative THEN -1 ELSE 1 END
        END AS number
    FROM unsigned
)
SELECT CASE WHEN isfinite(number) THEN number END AS number
FROM parsed
ORDER BY position
