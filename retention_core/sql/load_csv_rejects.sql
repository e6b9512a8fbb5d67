-- Lines the CSV reader of load_read_csv.sql set aside, one row per line.
-- Tables: reject_errors (DuckDB's temporary reject table on the same connection).
-- Parameters: none.
-- Output: line BIGINT (1-based line of the record in the file), error_type VARCHAR (errors on that line, joined),
--   csv_line VARCHAR (the raw text of the record).
SELECT
    line,
    string_agg(DISTINCT CAST(error_type AS VARCHAR), ', ') AS error_type,
    first(csv_line) AS csv_line
FROM reject_errors
GROUP BY line
ORDER BY line
