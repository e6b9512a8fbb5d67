-- The distinct values of one text column that could be dates, with how many rows hold each.
-- Tables: raw(position BIGINT, value VARCHAR), values already trimmed, missing values NULL.
-- Parameters: $date_shape (a regular expression for the characters a date may consist of).
-- Output: value VARCHAR, rows BIGINT.
SELECT value, count(*) AS rows
FROM raw
WHERE value IS NOT NULL AND regexp_full_match(value, $date_shape)
GROUP BY value
