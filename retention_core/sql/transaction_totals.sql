-- transaction_totals: size and date range of a transaction log, and the parts of its revenue-weighted gross margin.
--
-- last_purchase_date is the date of the last order (a row with amount >= 0), the anchor E of the annual basis of
-- customer value; last_order_date is that of the last row of any kind (a return may come later).
-- The margin parts cover the rows with a known gross_margin and a positive amount: margin_revenue is their
-- revenue, gross_profit the sum of amount * gross_margin, so the weighted margin is gross_profit / margin_revenue.
--
-- Parameters: none
-- Tables: transactions(customer_id, order_date, amount, gross_margin) -- gross_margin all NULL when absent
-- Output, one row:
--   rows, first_order_date, last_order_date, last_purchase_date, margin_revenue, gross_profit
SELECT
    count(*) AS rows,
    min(order_date) AS first_order_date,
    max(order_date) AS last_order_date,
    max(order_date) FILTER (WHERE amount >= 0) AS last_purchase_date,
    sum(amount) FILTER (WHERE gross_margin IS NOT NULL AND amount > 0) AS margin_revenue,
    sum(amount * gross_margin) FILTER (WHERE gross_margin IS NOT NULL AND amount > 0) AS gross_profit
FROM transactions
