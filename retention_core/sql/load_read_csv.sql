-- Read an upload's CSV text as positional text columns; malformed lines go to the reject tables.
-- The file is a private temporary UTF-8 copy made by loading.read_table; the header line is skipped, so the
-- upload's column names never reach SQL. Values are trimmed; empty values become NULL.
-- Parameters: $path (the temporary file), $separator (one of , ; tab |), $skip (lines before the first data
--   line), $columns (STRUCT of positional names c0, c1, ... -> 'VARCHAR').
-- Output: c0, c1, ... VARCHAR, in file order. Rejected lines: see load_csv_rejects.sql.
SELECT nullif(trim(COLUMNS(*), ' ' || chr(9) || chr(160)), '')
FROM read_csv(
    $path,
    auto_detect = false,
    header = false,
    skip = $skip,
    delim = $separator,
    quote = '"',
    escape = '"',
    columns = $columns,
    null_padding = false,
    store_rejects = true
)
