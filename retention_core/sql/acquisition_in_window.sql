-- acquisition_in_window: the acquisition spend and the sheet's new customers dated in one window, for the annual
-- basis of customer value (the last 12 months before the data's last order date, see customer_value.py).
--
-- A row counts when its period_start lies in the window ($window_start, $window_end].
--
-- Parameters:
--   $window_start  DATE, the day before the window's first day (exclusive)
--   $window_end    DATE, the window's last day (inclusive)
-- Tables: acquisition(period_start, acquisition_spend, new_customers) -- new_customers all NULL when absent
-- Output, one row:
--   acquisition_rows      rows dated in the window
--   acquisition_spend     their spend summed; NULL without a row (unknown, not zero)
--   new_customer_rows     rows in the window that give a number of new customers
--   sheet_new_customers   those numbers summed; NULL without one
SELECT
    count(*) AS acquisition_rows,
    sum(acquisition_spend) AS acquisition_spend,
    count(new_customers) AS new_customer_rows,
    sum(new_customers) AS sheet_new_customers
FROM acquisition
WHERE CAST(period_start AS DATE) > CAST($window_start AS DATE)
    AND CAST(period_start AS DATE) <= CAST($window_end AS DATE)
