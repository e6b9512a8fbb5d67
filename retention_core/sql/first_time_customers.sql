-- first_time_customers: customers whose first order (a row with amount >= 0) falls in the period, per period.
--
-- The same count as first_time_customers of period_activity.sql, but only for periods with a first order.
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit
-- Tables: transactions(customer_id, order_date, amount)
-- Output, ordered by period_start:
--   period_start, first_time_customers
WITH
first_orders AS (
    SELECT date_trunc($period, min(order_date) FILTER (WHERE amount >= 0)) AS period_start
    FROM transactions
    GROUP BY customer_id
)
SELECT period_start, count(*) AS first_time_customers
FROM first_orders
WHERE period_start IS NOT NULL
GROUP BY period_start
ORDER BY period_start
