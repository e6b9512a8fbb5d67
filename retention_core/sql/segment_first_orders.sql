-- segment_first_orders: what each customer's first order looked like, for segments that depend on it (first
-- product bought, first-order value tier, an attribute of the orders such as a channel; see segments/assignment.py).
--
-- Orders are rows with amount >= 0 (returns never make a first order). A customer's first order is every order row
-- dated on their first order day (the first purchase occasion's day; the BTYD convention of customer_summary.sql).
-- first_order_value is the sum of those rows' amounts (gross: returns of that day are not subtracted). When the
-- first day's rows differ in product or attribute, the value of the row with the largest amount is taken, ties to
-- the smallest value; a row without a value only when no row of the day has one.
--
-- A large table can be read in customer ranges, one query each (as customer_summary.sql): the hash tables then hold
-- one range of customers at a time, and the ranges' rows concatenated are the whole result.
--
-- Parameters:
--   $customer_from    NULL (no lower bound), or only customers with customer_id >= $customer_from
--   $customer_before  NULL (no upper bound), or only customers with customer_id < $customer_before
-- Tables: transactions(customer_id, order_date, amount, product, segment)
--         -- product, segment all NULL when the upload has none; segment is the attribute column, renamed
-- Output, one row per customer with an order, ordered by customer_id:
--   customer_id
--   first_order        the first order day (as a timestamp at midnight)
--   first_order_value  the amounts of the first day's order rows summed
--   first_product      the first day's product (NULL without one)
--   first_segment      the first day's attribute value (NULL without one)
WITH
orders AS (
    SELECT customer_id, CAST(order_date AS DATE) AS order_day, amount, product, segment
    FROM transactions
    WHERE amount >= 0
        AND ($customer_from IS NULL OR customer_id >= $customer_from)
        AND ($customer_before IS NULL OR customer_id < $customer_before)
),
first_days AS (
    SELECT customer_id, min(order_day) AS first_day
    FROM orders
    GROUP BY customer_id
),
first_rows AS (
    SELECT
        o.customer_id,
        o.order_day,
        o.amount,
        o.product,
        o.segment,
        row_number() OVER (
            PARTITION BY o.customer_id
            ORDER BY CASE WHEN o.product IS NULL THEN 1 ELSE 0 END, o.amount DESC, o.product
        ) AS product_rank,
        row_number() OVER (
            PARTITION BY o.customer_id
            ORDER BY CASE WHEN o.segment IS NULL THEN 1 ELSE 0 END, o.amount DESC, o.segment
        ) AS segment_rank
    FROM orders AS o
    JOIN first_days AS f ON o.customer_id = f.customer_id AND o.order_day = f.first_day
)
SELECT
    customer_id,
    CAST(min(order_day) AS TIMESTAMP) AS first_order,
    sum(amount) AS first_order_value,
    max(CASE WHEN product_rank = 1 THEN product END) AS first_product,
    max(CASE WHEN segment_rank = 1 THEN segment END) AS first_segment
FROM first_rows
GROUP BY customer_id
ORDER BY customer_id
