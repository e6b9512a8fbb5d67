-- How many rows of a column's date candidates parse in one strptime format to a year between 1900 and 2100.
-- Tables: candidates(value VARCHAR, rows BIGINT) from load_date_candidates.sql.
-- Parameters: $date_format (a strptime format such as '%d.%m.%Y'; DuckDB needs it constant per query).
-- Output: rows BIGINT (one row).
SELECT coalesce(sum(rows) FILTER (WHERE year(try_strptime(value, $date_format)) BETWEEN 1900 AND 2100), 0) AS rows
FROM candidates
