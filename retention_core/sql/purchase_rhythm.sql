-- purchase_rhythm: how many customers buy at regular monthly intervals, the sign of a subscription business.
--
-- A purchase day is a calendar date with an order (a row with amount >= 0). For every customer with at least three
-- purchase days (two gaps), the gaps in days between consecutive purchase days are counted, and those of
-- $gap_from ... $gap_to days (about a month). A customer buys in a monthly rhythm when at least $regular_share of
-- their gaps are monthly (two thirds: a subscriber who adds a one-off order now and then still counts).
-- A large log is handed in as a fixed sample of its customers (see retention_core/purchase_rhythm.py).
--
-- Parameters:
--   $gap_from, $gap_to  INTEGER, the gaps in days that count as monthly (25 and 35)
--   $regular_share      DOUBLE, the share of a customer's gaps that must be monthly (2 / 3)
-- Tables: transactions(customer_id, order_date, amount)
-- Output, one row:
--   customers           customers with a purchase day
--   repeat_customers    of them, customers with at least three purchase days
--   monthly_customers   of those, customers buying in a monthly rhythm
WITH
days AS (
    SELECT DISTINCT customer_id, CAST(order_date AS DATE) AS purchase_day
    FROM transactions
    WHERE amount >= 0
),
gaps AS (
    SELECT
        customer_id,
        date_diff('day', lag(purchase_day) OVER (PARTITION BY customer_id ORDER BY purchase_day), purchase_day) AS gap
    FROM days
),
rhythms AS (
    SELECT
        customer_id,
        count(gap) AS gaps,
        count(*) FILTER (WHERE gap BETWEEN $gap_from AND $gap_to) AS monthly_gaps
    FROM gaps
    GROUP BY customer_id
)
SELECT
    count(*) AS customers,
    count(*) FILTER (WHERE gaps >= 2) AS repeat_customers,
    count(*) FILTER (WHERE gaps >= 2 AND monthly_gaps >= $regular_share * gaps) AS monthly_customers
FROM rhythms
