-- customer_summary: one row per customer with their order history in a few numbers, and its buy-till-you-die
-- summary (frequency, recency, T, monetary; Fader, Hardie & Lee 2005), all from one pass over the orders.
--
-- Only rows dated on or before the observation end count ($observation_end, NULL = the last order date in the data).
-- Orders are rows with amount >= 0; returns (amount < 0) count in revenue only. A customer whose rows are all
-- returns has orders = 0 and NULL first_order and last_order. first_order and last_order are the
-- dates of the first and last order (as timestamps at midnight; uploads carry no time of day anyway).
-- A purchase day is a calendar date on which the customer's net amount (orders minus same-day returns) is >= 0;
-- dates with only returns (net < 0) are not purchases. The BTYD columns are NULL for a customer without one.
-- A purchase occasion is a distinct order day (a date with an order; the BTYD convention) or, when the upload has
-- an order id ($order_ids), a distinct order id among the order rows (a row without an id counts as an occasion of
-- its day); an order id's date is the first date of its order rows.
-- The annual columns describe two 12-month windows before the anchor $basis_end (the data's last order date, E):
-- the last 12 months L = ($year_start, $basis_end] and the 12 months before, P = ($previous_start, $year_start]
-- ($year_start = E - 12 months and $previous_start = E - 24 months, worked out by the caller). A customer buys in
-- a window when they have an order (a row with amount >= 0) dated in it; whether they bought in L and whether
-- their first order is in L can be read off last_order and first_order (> $year_start).
-- Plan: the rows are first reduced to one per customer and date (DuckDB would otherwise keep a hash set per
-- customer for count(DISTINCT date)); both summaries are read off that. Distinct products come from their own
-- grouping by (customer, product), joined; or, when the products are whole-number codes 0-62 ($product_codes), from
-- a bit mask per customer and date (bit k set: product k ordered), OR-ed per customer and counted: no grouping by
-- (customer, product) then. A large table can be summarised in customer ranges, one query each: its hash tables
-- then hold one range of customers at a time, and the ranges' rows concatenated are the whole result.
--
-- Parameters:
--   $observation_end  DATE or NULL; NULL means the last order date in the data
--   $customer_from    NULL (no lower bound), or only customers with customer_id >= $customer_from
--   $customer_before  NULL (no upper bound), or only customers with customer_id < $customer_before
--                     (the observation end is still read off all rows, so a customer's row does not depend on them)
--   $unit_days        DOUBLE, days per time unit of recency and T (1 = days, 7 = weeks, 30.4375 = months)
--   $product_codes    BOOLEAN, true only when every product is a whole number 0 ... 62 (or NULL)
--   $order_ids        BOOLEAN, true when the upload has an order id column: occasions count order ids
--   $basis_end        DATE or NULL, E; NULL leaves the annual columns NULL (a lone summary without the basis)
--   $year_start       DATE or NULL, E - 12 months (the start of L, exclusive)
--   $previous_start   DATE or NULL, E - 24 months (the start of P, exclusive)
-- Tables: transactions(customer_id, order_date, amount, product) -- product all NULL when the upload has none
--         order_lines(customer_id, order_date, amount, order_id) -- the transactions with order ids, else no rows
-- Output, ordered by customer_id:
--   customer_id, first_order, last_order, orders (order rows), revenue, distinct_products,
--   occasions          purchase occasions (distinct order days, or order ids), INTEGER
--   ordered_previous_year  true when the customer has an order dated in P
--   revenue_last_year      net amount of the customer's rows dated in L (0 without one)
--   occasions_last_year    purchase occasions dated in L, INTEGER
-- (The mean order value, revenue / occasions, is no column: the app never reads it per customer, and at 3.6 M
-- customers it cost 29 MB twice over while the Arrow parts became the frame.)
--   frequency  repeat purchase days = purchase days - 1
--   recency    time from the first to the last purchase day, in time units
--   T          time from the first purchase day to the observation end, in time units
--   monetary   mean net amount of the repeat purchase days (the first day excluded); 0 without a repeat
WITH
bounds AS (
    SELECT coalesce(CAST($observation_end AS DATE), max(CAST(order_date AS DATE))) AS observation_end
    FROM transactions
),
days AS (
    SELECT
        t.customer_id,
        CAST(t.order_date AS DATE) AS order_day,
        count(*) FILTER (WHERE t.amount >= 0) AS orders,
        sum(t.amount) AS day_amount,
        bit_or(
            CASE WHEN $product_codes AND t.amount >= 0 THEN CAST(1 AS BIGINT) << CAST(t.product AS INTEGER) END
        ) AS product_bits
    FROM transactions AS t, bounds AS b
    WHERE CAST(t.order_date AS DATE) <= b.observation_end
        AND ($customer_from IS NULL OR t.customer_id >= $customer_from)
        AND ($customer_before IS NULL OR t.customer_id < $customer_before)
    GROUP BY 1, 2
),
customers AS (
    SELECT
        customer_id,
        CAST(min(order_day) FILTER (WHERE orders > 0) AS TIMESTAMP) AS first_order,
        CAST(max(order_day) FILTER (WHERE orders > 0) AS TIMESTAMP) AS last_order,
        sum(orders) AS orders,
        sum(day_amount) AS revenue,
        count(*) FILTER (WHERE orders > 0) AS order_days,
        count(*) FILTER (
            WHERE orders > 0 AND order_day > CAST($year_start AS DATE) AND order_day <= CAST($basis_end AS DATE)
        ) AS order_days_last_year,
        coalesce(sum(day_amount) FILTER (
            WHERE order_day > CAST($year_start AS DATE) AND order_day <= CAST($basis_end AS DATE)
        ), 0.0) AS revenue_last_year,
        count(*) FILTER (
            WHERE orders > 0 AND order_day > CAST($previous_start AS DATE) AND order_day <= CAST($year_start AS DATE)
        ) > 0 AS ordered_previous_year,
        count(*) FILTER (WHERE day_amount >= 0) AS purchase_days,
        min(order_day) FILTER (WHERE day_amount >= 0) AS first_day,
        max(order_day) FILTER (WHERE day_amount >= 0) AS last_day,
        sum(day_amount) FILTER (WHERE day_amount >= 0)
            - arg_min(day_amount, order_day) FILTER (WHERE day_amount >= 0) AS repeat_amount,
        bit_count(bit_or(product_bits)) AS coded_products
    FROM days
    GROUP BY customer_id
),
products AS (
    SELECT customer_id, count(*) AS distinct_products
    FROM (
        SELECT DISTINCT t.customer_id, t.product
        FROM transactions AS t, bounds AS b
        WHERE NOT $product_codes AND t.amount >= 0 AND t.product IS NOT NULL
            AND CAST(t.order_date AS DATE) <= b.observation_end
            AND ($customer_from IS NULL OR t.customer_id >= $customer_from)
            AND ($customer_before IS NULL OR t.customer_id < $customer_before)
    ) AS bought
    GROUP BY customer_id
),
occasions AS (
    -- only with order ids: one row per (customer, order id) with the first date of its order rows
    SELECT
        customer_id,
        count(*) AS occasions,
        count(*) FILTER (
            WHERE occasion_day > CAST($year_start AS DATE) AND occasion_day <= CAST($basis_end AS DATE)
        ) AS occasions_last_year
    FROM (
        SELECT t.customer_id, min(CAST(t.order_date AS DATE)) AS occasion_day
        FROM order_lines AS t, bounds AS b
        WHERE $order_ids AND t.amount >= 0
            AND CAST(t.order_date AS DATE) <= b.observation_end
            AND ($customer_from IS NULL OR t.customer_id >= $customer_from)
            AND ($customer_before IS NULL OR t.customer_id < $customer_before)
        GROUP BY t.customer_id, coalesce(t.order_id, CAST(CAST(t.order_date AS DATE) AS VARCHAR))
    ) AS placed
    GROUP BY customer_id
)
SELECT
    c.customer_id,
    c.first_order,
    c.last_order,
    CAST(c.orders AS BIGINT) AS orders,
    c.revenue,
    coalesce(c.coded_products, p.distinct_products, 0) AS distinct_products,
    CAST(CASE WHEN $order_ids THEN coalesce(o.occasions, 0) ELSE c.order_days END AS INTEGER) AS occasions,
    CASE WHEN $basis_end IS NOT NULL THEN c.ordered_previous_year END AS ordered_previous_year,
    CASE WHEN $basis_end IS NOT NULL THEN c.revenue_last_year END AS revenue_last_year,
    CAST(CASE
        WHEN $basis_end IS NULL THEN NULL
        WHEN $order_ids THEN coalesce(o.occasions_last_year, 0)
        ELSE c.order_days_last_year
    END AS INTEGER) AS occasions_last_year,
    CASE WHEN c.purchase_days > 0 THEN c.purchase_days - 1 END AS frequency,
    date_diff('day', c.first_day, c.last_day) / CAST($unit_days AS DOUBLE) AS recency,
    date_diff('day', c.first_day, b.observation_end) / CAST($unit_days AS DOUBLE) AS "T",
    CASE
        WHEN c.purchase_days > 1 THEN c.repeat_amount / (c.purchase_days - 1)
        WHEN c.purchase_days = 1 THEN 0.0
    END AS monetary
FROM customers AS c
CROSS JOIN bounds AS b
LEFT JOIN products AS p USING (customer_id)
LEFT JOIN occasions AS o USING (customer_id)
ORDER BY c.customer_id
