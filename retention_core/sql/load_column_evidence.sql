-- Evidence for typing one text column: how many non-empty values pass each test.
-- Tables: raw(position BIGINT, value VARCHAR), values already trimmed, missing values NULL.
-- Parameters: $strip_pattern (currency signs, codes and grouping spaces ignored in numbers), $comma_pattern and
--   $point_pattern (an unsigned number with decimal comma / decimal point), $date_shape (characters a date may
--   consist of; the formats themselves are counted by load_count_dates.sql, as strptime needs a constant format).
-- Output: test VARCHAR, rows BIGINT, one row per test: 'non_empty', 'leading_zero' (digits starting with 0, like
--   ids "00042"), 'decimal_comma', 'decimal_point', 'only_decimal_comma', 'only_decimal_point', 'date_shaped'.
WITH counted AS (
    SELECT value, count(*) AS rows
    FROM raw
    WHERE value IS NOT NULL AND value <> ''
    GROUP BY value
),
unsigned AS (
    SELECT rows, regexp_replace(regexp_replace(value, $strip_pattern, '', 'g'), '^[-+(]|[-)]$', '', 'g') AS digits
    FROM counted
),
numbers AS (
    SELECT rows, regexp_full_match(digits, $comma_pattern) AS comma, regexp_full_match(digits, $point_pattern) AS point
    FROM unsigned
)
SELECT 'non_empty' AS test, coalesce(sum(rows), 0) AS rows FROM counted
UNION ALL
SELECT 'leading_zero', coalesce(sum(rows), 0) FROM counted WHERE regexp_full_match(value, '0[0-9]+')
UNION ALL
SELECT 'decimal_comma', coalesce(sum(rows) FILTER (WHERE comma), 0) FROM numbers
UNION ALL
SELECT 'decimal_point', coalesce(sum(rows) FILTER (WHERE point), 0) FROM numbers
UNION ALL
SELECT 'only_decimal_comma', coalesce(sum(rows) FILTER (WHERE comma AND NOT point), 0) FROM numbers
UNION ALL
SELECT 'only_decimal_point', coalesce(sum(rows) FILTER (WHERE point AND NOT comma), 0) FROM numbers
UNION ALL
SELECT 'date_shaped', coalesce(sum(rows), 0) FROM counted WHERE regexp_full_match(value, $date_shape)
