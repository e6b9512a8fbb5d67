-- period_count: how many periods the order log spans, from the first period with a row to the last, both counted
-- (empty periods between them included); NULL for an empty log. customer_period_flows uses it to pick its SQL file.
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit
-- Tables: transactions(order_date)
-- Output, one row:
--   periods  (last period - first period) in periods, plus one
WITH
span AS (
    SELECT
        date_trunc($period, min(order_date)) AS first_period,
        max(order_date) AS last_date,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period
    FROM transactions
)
SELECT
    CAST(
        ((year(last_date) - year(first_period)) * 12 + month(last_date) - month(first_period)) // months_per_period
            + 1 AS BIGINT
    ) AS periods
FROM span
