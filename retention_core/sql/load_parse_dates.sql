-- Parse one text column as dates (or date-times) in one family of strptime formats (the first that matches wins).
-- Tables: raw(position BIGINT, value VARCHAR), values already trimmed, missing values NULL.
-- Parameters: $date_formats (VARCHAR[] such as ['%d.%m.%Y', '%d.%m.%Y %H:%M', '%d.%m.%Y %H:%M:%S']),
--   $first_year, $last_year (the sane range of years, columns.FIRST_YEAR and LAST_YEAR).
-- Output: date TIMESTAMP (NULL where the value is missing, does not match the format, or has a year outside
--   $first_year-$last_year, which catches two-digit years read with %Y), in position order.
SELECT CASE WHEN year(parsed) BETWEEN $first_year AND $last_year THEN parsed END AS date
FROM (SELECT position, try_strptime(value, $date_formats) AS parsed FROM raw)
ORDER BY position
