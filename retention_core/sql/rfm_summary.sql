-- Per-customer buy-till-you-die summary (frequency, recency, T, monetary) of the orders up to an observation end.
-- A purchase day is a calendar date on which the customer's net amount (orders minus same-day returns) is >= 0;
-- dates with only returns (net < 0) are not purchases and are left out. Orders after the observation end are ignored.
-- Parameters:
--   $observation_end  DATE or NULL; NULL means the last order date in the data
--   $unit_days        DOUBLE, days per time unit (1 = days, 7 = weeks, 30.4375 = months)
-- Input table: transactions(customer_id, order_date, amount)
-- Output, one row per customer with at least one purchase day up to the observation end:
--   customer_id
--   frequency  repeat purchase days = distinct purchase days - 1
--   recency    time from the first to the last purchase day, in time units
--   T          time from the first purchase day to the observation end, in time units
--   monetary   mean net amount of the repeat purchase days (the first day excluded); 0 without a repeat
WITH bounds AS (
    SELECT coalesce(CAST($observation_end AS DATE), max(CAST(order_date AS DATE))) AS observation_end
    FROM transactions
),
purchase_days AS (
    SELECT t.customer_id, CAST(t.order_date AS DATE) AS order_day, sum(t.amount) AS day_amount
    FROM transactions AS t, bounds AS b
    WHERE CAST(t.order_date AS DATE) <= b.observation_end
    GROUP BY t.customer_id, CAST(t.order_date AS DATE)
    HAVING sum(t.amount) >= 0
),
customers AS (
    SELECT
        customer_id,
        count(*) - 1 AS frequency,
        min(order_day) AS first_day,
        max(order_day) AS last_day,
        sum(day_amount) - arg_min(day_amount, order_day) AS repeat_amount
    FROM purchase_days
    GROUP BY customer_id
)
SELECT
    c.customer_id,
    c.frequency,
    date_diff('day', c.first_day, c.last_day) / CAST($unit_days AS DOUBLE) AS recency,
    date_diff('day', c.first_day, b.observation_end) / CAST($unit_days AS DOUBLE) AS "T",
    CASE WHEN c.frequency > 0 THEN c.repeat_amount / c.frequency ELSE 0.0 END AS monetary
FROM customers AS c, bounds AS b
ORDER BY c.customer_id
