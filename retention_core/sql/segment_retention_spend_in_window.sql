-- segment_retention_spend_in_window: retention_spend_in_window.sql per value of the cost sheet's segment column,
-- for retention cost per segment (segments/costs.py).
--
-- A cost row counts when its period_start lies in the window ($window_start, $window_end]. Rows without a segment
-- value form one row with segment NULL (spend that no segment carries alone; the caller allocates it).
--
-- Parameters:
--   $window_start  DATE, the day before the window's first day (exclusive)
--   $window_end    DATE, the window's last day (inclusive)
-- Tables: costs(period_start, amount, segment)
-- Output, one row per segment value with a row in the window, ordered by segment:
--   segment, cost_rows, retention_spend (as in retention_spend_in_window.sql)
SELECT
    segment,
    count(*) AS cost_rows,
    sum(amount) AS retention_spend
FROM costs
WHERE CAST(period_start AS DATE) > CAST($window_start AS DATE)
    AND CAST(period_start AS DATE) <= CAST($window_end AS DATE)
GROUP BY segment
ORDER BY segment NULLS LAST
