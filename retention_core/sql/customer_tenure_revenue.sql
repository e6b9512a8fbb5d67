-- customer_tenure_revenue: each customer's revenue and activity by year (or quarter, month) of their own life, the
-- per-customer parts of revenue_by_tenure.sql, so that resampling customers resamples the tenure table.
--
-- Tenure, observed customers and the date arithmetic are those of revenue_by_tenure.sql (read it first): tenure t
-- is the window first_order + (t-1) periods <= order date < first_order + t periods, and a customer counts in
-- tenure t only when that whole window ends on or before the last order date in the data. Summed over customers,
-- revenue gives revenue_by_tenure's revenue and active its active_customers for every tenure up to $max_tenure.
-- A customer observed in a tenure without any row in it has no row here (revenue 0, not active: it adds nothing
-- to either sum). Only the first $max_tenure tenures are read: the rows of later ones are not joined at all.
-- Plan: tenure 1 starts with the first order, so an observed customer is active in it, and its revenue is the
-- customer's net revenue less that of their rows outside it (returns before the first order, rows from tenure 2
-- on). The orders are grouped by customer once (first order and net revenue, as revenue_by_tenure.sql groups them
-- for the first order), and only the rows outside tenure 1, a minority, are grouped again, by customer and by
-- customer and tenure: at 10 M rows grouping every row by customer and tenure held a hash table of all 3.6 M
-- customers. (Reading the first orders off the customer summary instead saved that grouping, but the query then
-- ran after the summary, at the aggregation's peak, and raised it by some 350 MB.)
--
-- Parameters:
--   $period      'month' | 'quarter' | 'year', the length of one tenure step
--   $max_tenure  INTEGER >= 1, the last tenure with rows in the output
-- Tables: transactions(customer_id, order_date, amount)
-- Output, one row per customer and tenure with a row of theirs in an observed tenure, in no particular order:
--   customer_id, tenure (1 ... $max_tenure),
--   revenue  net amount of the customer's rows in the tenure (returns included)
--   active   1 when the customer has an order (amount >= 0) in the tenure, else 0 (INTEGER)
WITH
bounds AS (
    SELECT
        CAST(max(order_date) AS DATE) + 1 AS observation_end,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period
    FROM transactions
),
firsts AS (
    SELECT
        customer_id,
        CAST(min(order_date) FILTER (WHERE amount >= 0) AS DATE) AS first_order,
        sum(amount) AS revenue
    FROM transactions
    GROUP BY customer_id
),
lives AS (
    SELECT
        f.customer_id,
        f.first_order,
        f.revenue,
        least(
            (
                (year(b.observation_end) - year(f.first_order)) * 12 + month(b.observation_end)
                - month(f.first_order)
                - CASE
                    WHEN day(b.observation_end) < least(day(f.first_order), day(last_day(b.observation_end))) THEN 1
                    ELSE 0
                END
            ) // b.months_per_period,
            CAST($max_tenure AS INTEGER)
        ) AS observed_tenures
    FROM firsts AS f, bounds AS b
    WHERE f.first_order IS NOT NULL
),
observed_lives AS (
    SELECT
        l.customer_id,
        l.first_order,
        l.revenue,
        year(l.first_order) * 12 + month(l.first_order) AS first_month,
        day(l.first_order) AS first_day,
        CAST(l.first_order + b.months_per_period * INTERVAL 1 MONTH AS DATE) AS second_start,
        CAST(l.first_order + l.observed_tenures * b.months_per_period * INTERVAL 1 MONTH AS DATE) AS observed_end
    FROM lives AS l, bounds AS b
    WHERE l.observed_tenures >= 1
),
order_days AS (
    SELECT customer_id, amount, CAST(order_date AS DATE) AS order_day
    FROM transactions
),
outside_rows AS (
    -- an observed customer's rows outside tenure 1: before the first order, or from tenure 2 on
    SELECT
        t.customer_id,
        t.amount,
        t.order_day,
        l.first_month,
        l.first_day,
        t.order_day >= l.second_start AND t.order_day < l.observed_end AS observed_later
    FROM order_days AS t
    JOIN observed_lives AS l
        ON t.customer_id = l.customer_id
        AND (t.order_day < l.first_order OR t.order_day >= l.second_start)
),
outside AS (
    SELECT customer_id, sum(amount) AS amount
    FROM outside_rows
    GROUP BY customer_id
),
later_rows AS (
    -- whole months as in revenue_by_tenure.sql; the month-end clamp only for first orders on the 29th to 31st
    SELECT
        customer_id,
        amount,
        (
            year(order_day) * 12 + month(order_day) - first_month
            - CASE
                WHEN day(order_day) >= first_day THEN 0
                WHEN first_day <= 28 THEN 1
                WHEN day(order_day) < least(first_day, day(last_day(order_day))) THEN 1
                ELSE 0
            END
        ) // b.months_per_period + 1 AS tenure
    FROM outside_rows
    CROSS JOIN bounds AS b
    WHERE observed_later
)
SELECT
    l.customer_id,
    CAST(1 AS INTEGER) AS tenure,
    l.revenue - coalesce(o.amount, 0.0) AS revenue,
    CAST(1 AS INTEGER) AS active
FROM observed_lives AS l
LEFT JOIN outside AS o ON o.customer_id = l.customer_id
UNION ALL
SELECT
    customer_id,
    CAST(tenure AS INTEGER) AS tenure,
    sum(amount) AS revenue,
    CAST(max(CASE WHEN amount >= 0 THEN 1 ELSE 0 END) AS INTEGER) AS active
FROM later_rows
GROUP BY customer_id, tenure
