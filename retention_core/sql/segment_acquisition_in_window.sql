-- segment_acquisition_in_window: acquisition_in_window.sql per value of the acquisition sheet's segment column
-- (e.g. a channel), for CAC per segment (segments/costs.py).
--
-- A row counts when its period_start lies in the window ($window_start, $window_end]. Rows without a segment value
-- form one row with segment NULL (spend that no segment carries alone; the caller allocates it).
--
-- Parameters:
--   $window_start  DATE, the day before the window's first day (exclusive)
--   $window_end    DATE, the window's last day (inclusive)
-- Tables: acquisition(period_start, acquisition_spend, new_customers, segment) -- new_customers NULL when absent
-- Output, one row per segment value with a row in the window, ordered by segment:
--   segment, acquisition_rows, acquisition_spend, new_customer_rows, sheet_new_customers (DOUBLE)
--   (as in acquisition_in_window.sql)
SELECT
    segment,
    count(*) AS acquisition_rows,
    sum(acquisition_spend) AS acquisition_spend,
    count(new_customers) AS new_customer_rows,
    CAST(sum(new_customers) AS DOUBLE) AS sheet_new_customers
FROM acquisition
WHERE CAST(period_start AS DATE) > CAST($window_start AS DATE)
    AND CAST(period_start AS DATE) <= CAST($window_end AS DATE)
GROUP BY segment
ORDER BY segment NULLS LAST
