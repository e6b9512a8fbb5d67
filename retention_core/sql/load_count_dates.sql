-- How many rows of a column's date candidates parse in one family of strptime formats (a date format with and
-- without a time of day; the first that matches wins) to a year between $first_year and $last_year.
-- Tables: candidates(value VARCHAR, rows BIGINT) from load_date_candidates.sql.
-- Parameters: $date_formats (VARCHAR[] such as ['%d.%m.%Y', '%d.%m.%Y %H:%M']; DuckDB needs it constant per query).
--   $first_year, $last_year (the sane range of years, columns.FIRST_YEAR and LAST_YEAR).
-- Output: rows BIGINT (one row).
SELECT coalesce(sum(rows) FILTER (
    WHERE year(try_strptime(value, $date_formats)) BETWEEN $first_year AND $last_year
), 0) AS rows
FROM candidates
