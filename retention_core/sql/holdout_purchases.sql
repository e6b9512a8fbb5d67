-- Purchase days per customer inside a holdout window (calibration_end, observation_end], for checking forecasts.
-- A purchase day is defined as in customer_summary.sql: a date whose net amount (orders minus same-day returns) is >= 0.
-- Parameters:
--   $calibration_end  DATE, last day of the calibration period (excluded from the window)
--   $observation_end  DATE, last day of the holdout window (included)
-- Input table: transactions(customer_id, order_date, amount)
-- Output, one row per customer with at least one purchase day in the window:
--   customer_id
--   holdout_frequency  number of purchase days in the window
--   holdout_monetary   mean net amount of those purchase days
WITH purchase_days AS (
    SELECT customer_id, CAST(order_date AS DATE) AS order_day, sum(amount) AS day_amount
    FROM transactions
    WHERE CAST(order_date AS DATE) > CAST($calibration_end AS DATE)
      AND CAST(order_date AS DATE) <= CAST($observation_end AS DATE)
    GROUP BY customer_id, CAST(order_date AS DATE)
    HAVING sum(amount) >= 0
)
SELECT customer_id, count(*) AS holdout_frequency, avg(day_amount) AS holdout_monetary
FROM purchase_days
GROUP BY customer_id
ORDER BY customer_id
