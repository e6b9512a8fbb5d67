-- tenure_revenue: revenue and activity by year (or quarter, month) of the customer's own life, in one pass over the
-- orders: the tenure table's counts per tenure and each customer's parts of them for the first $max_tenure tenures
-- (which resampling customers resamples). queries.revenue_by_tenure reads the tenure rows,
-- queries.customer_tenure_revenue the customer rows.
--
-- Tenure counts whole periods of customer age from the date of the first order (a row with amount >= 0), not
-- calendar periods: with $period = 'year', tenure 1 is the customer's first 12 months, tenure 2 months 13-24.
-- Tenure t is the window first_order + (t-1) periods <= order date < first_order + t periods, where adding months
-- keeps the day of month and clamps it to the month's end (31 Jan + 1 month = 29 Feb 2024), as INTERVAL does.
-- Whole months from date a to date b (the largest m with a + m months <= b): the calendar months between them,
-- less one when b's day of month is before a's day clamped to b's month end.
-- A customer is observed in tenure t when the whole window of tenure t lies in the data, i.e. ends on or before
-- the last order date in the data; only observed customers count (no partial windows). A customer observed in a
-- tenure without any row in it has no customer row for it (revenue 0, not active: it adds nothing to the sums).
-- Summed over customers per tenure, the customer rows' revenue and active give the tenure rows' (tenures up to
-- $max_tenure).
--
-- Plan: tenure 1 starts with the first order, so an observed customer is active in it, and its revenue is the
-- customer's net revenue less that of their rows outside it (returns before the first order, rows from tenure 2
-- on). The orders are grouped by customer once (first order and net revenue), and only the rows outside tenure 1,
-- a minority, are grouped again, by customer and by customer and tenure: at 10 M rows grouping every row by
-- customer and tenure held a hash table of all 3.6 M customers. Later rows count only inside the customer's
-- observed tenures, a date range per customer checked after the join (an order-date formula in the join condition
-- took about 1 s more at 10 M rows); their tenure is computed from the first order's month and day kept per
-- customer, the month end looked up only where the first order's day is past the 28th (0.1-0.3 s less at 10 M
-- rows than the whole formula on every row). The per-customer parts are summed per tenure here, in the same
-- statement (about as fast at 10 M rows as summing the returned rows in numpy), so one read gives both results.
--
-- Parameters:
--   $period      'month' | 'quarter' | 'year', the length of one tenure step
--   $max_tenure  INTEGER >= 0, the last tenure with customer rows (0: none, the tenure rows alone)
-- Tables: transactions(customer_id, order_date, amount)
-- Output, rows of two kinds in no particular order (tenure, active and customers_observed INTEGER):
--   tenure rows (customer_id NULL), one per tenure from 1 to the longest observed:
--     tenure,
--     revenue             net amount of the observed customers' rows in the tenure (returns included)
--     active              observed customers with an order (amount >= 0) in the tenure
--     customers_observed  customers whose window of the tenure lies in the data
--   customer rows (customer_id not NULL), one per customer and tenure 1 ... $max_tenure observed with a row in it:
--     customer_id, tenure,
--     revenue             net amount of the customer's rows in the tenure (returns included)
--     active              1 when the customer has an order (amount >= 0) in the tenure, else 0
--     customers_observed  NULL
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
        (
            (year(b.observation_end) - year(f.first_order)) * 12 + month(b.observation_end) - month(f.first_order)
            - CASE
                WHEN day(b.observation_end) < least(day(f.first_order), day(last_day(b.observation_end))) THEN 1
                ELSE 0
            END
        ) // b.months_per_period AS observed_tenures
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
first_tenures AS (
    SELECT l.customer_id, l.revenue - coalesce(o.amount, 0.0) AS revenue
    FROM observed_lives AS l
    LEFT JOIN outside AS o ON o.customer_id = l.customer_id
),
later_rows AS (
    -- whole months as above; the month-end clamp is looked up only for first orders on the 29th to 31st
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
),
later_tenures AS (
    SELECT
        customer_id,
        CAST(tenure AS INTEGER) AS tenure,
        sum(amount) AS revenue,
        CAST(max(CASE WHEN amount >= 0 THEN 1 ELSE 0 END) AS INTEGER) AS active
    FROM later_rows
    GROUP BY customer_id, tenure
),
summed AS (
    -- per tenure, summed over customers (tenure 1: every observed customer is active in it)
    SELECT CAST(1 AS INTEGER) AS tenure, sum(revenue) AS revenue, CAST(count(*) AS INTEGER) AS active
    FROM first_tenures
    UNION ALL
    SELECT tenure, sum(revenue) AS revenue, CAST(sum(active) AS INTEGER) AS active
    FROM later_tenures
    GROUP BY tenure
),
lifetimes AS (
    SELECT observed_tenures, count(*) AS customers
    FROM lives
    GROUP BY observed_tenures
),
tenures AS (
    SELECT unnest(range(1, max(observed_tenures) + 1)) AS tenure
    FROM lives
),
observed AS (
    SELECT
        CAST(t.tenure AS INTEGER) AS tenure,
        CAST(sum(coalesce(l.customers, 0)) OVER (ORDER BY t.tenure DESC) AS INTEGER) AS customers_observed
    FROM tenures AS t
    LEFT JOIN lifetimes AS l ON l.observed_tenures = t.tenure
)
SELECT
    customer_id,
    CAST(1 AS INTEGER) AS tenure,
    revenue,
    CAST(1 AS INTEGER) AS active,
    CAST(NULL AS INTEGER) AS customers_observed
FROM first_tenures
WHERE CAST($max_tenure AS INTEGER) >= 1
UNION ALL
SELECT customer_id, tenure, revenue, active, CAST(NULL AS INTEGER) AS customers_observed
FROM later_tenures
WHERE tenure <= CAST($max_tenure AS INTEGER)
UNION ALL
SELECT
    NULL AS customer_id,
    o.tenure,
    coalesce(s.revenue, 0.0) AS revenue,
    coalesce(s.active, 0) AS active,
    o.customers_observed
FROM observed AS o
LEFT JOIN summed AS s ON s.tenure = o.tenure
