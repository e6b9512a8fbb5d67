-- Lines the CSV reader of load_read_csv.sql set aside, one row per line.
-- Tables: reject_errors (DuckDB's temporary reject table on the same connection).
-- Parameters: none.
-- Output: line BIGINT (1-based line of the record in the file read; a record whose quoted values span lines counts
--   as one), error_type VARCHAR (errors on that line, joined), csv_line VARCHAR (the raw text of the record, with
--   the empty lines before it), found BIGINT (the fields DuckDB found, for a wrong field count; else NULL).
SELECT
    line,
    string_agg(DISTINCT CAST(error_type AS VARCHAR), ', ') AS error_type,
    first(csv_line) AS csv_line,
    max(TRY_CAST(regexp_extract(error_message, 'Found: ([0-9]+)', 1) AS BIGINT)) AS found
FROM reject_errors
GROUP BY line
ORDER BY line
