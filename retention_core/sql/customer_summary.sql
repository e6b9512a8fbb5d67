-- customer_summary: one row per customer with their order history in a few numbers.
--
-- Orders are rows with amount >= 0; returns (amount < 0) count in revenue only. A customer whose rows are all
-- returns has orders = 0 and NULL first_order, last_order and mean_order_value.
--
-- Parameters: none
-- Tables: transactions(customer_id, order_date, amount, product) -- product all NULL when the upload has none
-- Output, ordered by customer_id:
--   customer_id, first_order, last_order, orders, revenue, mean_order_value, distinct_products, order_days
SELECT
    customer_id,
    min(order_date) FILTER (WHERE amount >= 0) AS first_order,
    max(order_date) FILTER (WHERE amount >= 0) AS last_order,
    count(*) FILTER (WHERE amount >= 0) AS orders,
    sum(amount) AS revenue,
    sum(amount) / nullif(count(*) FILTER (WHERE amount >= 0), 0) AS mean_order_value,
    count(DISTINCT product) FILTER (WHERE amount >= 0) AS distinct_products,
    count(DISTINCT CAST(order_date AS DATE)) FILTER (WHERE amount >= 0) AS order_days
FROM transactions
GROUP BY customer_id
ORDER BY customer_id
