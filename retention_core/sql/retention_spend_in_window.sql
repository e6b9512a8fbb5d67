-- retention_spend_in_window: the retention spend dated in one window, for the annual basis of customer value
-- (the spend of the last 12 months before the data's last order date, see customer_value.py).
--
-- A cost row counts when its period_start lies in the window ($window_start, $window_end]: a quarterly cost dated
-- on the quarter's first day counts whole in the window that holds that day.
--
-- Parameters:
--   $window_start  DATE, the day before the window's first day (exclusive)
--   $window_end    DATE, the window's last day (inclusive)
-- Tables: costs(period_start, category, amount)
-- Output, one row:
--   cost_rows        cost rows dated in the window
--   retention_spend  their amounts summed; NULL without a row (unknown, not zero)
SELECT
    count(*) AS cost_rows,
    sum(amount) AS retention_spend
FROM costs
WHERE CAST(period_start AS DATE) > CAST($window_start AS DATE)
    AND CAST(period_start AS DATE) <= CAST($window_end AS DATE)
