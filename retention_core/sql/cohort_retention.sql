-- cohort_retention: share of each first-purchase cohort that orders again n periods later, in long format.
--
-- A customer's cohort is the period of their first order (a row with amount >= 0). A cohort member is active in
-- a period when they place an order in it; revenue is the cohort's net revenue in the period (returns included).
-- Every observed cell is returned, periods_since = 0 ... (last period in the data - cohort period), also cells
-- where no member ordered (active_customers = 0).
--
-- Portable: the same text runs on DuckDB and, transpiled by sqlglot, on Spark (see engines.py): months between
-- dates are counted as year * 12 + month, month steps are n * INTERVAL 1 MONTH.
-- Plan: the rows are first reduced to one per customer and period (ordered or not, net revenue); cohorts and cells
-- are counted from that, so no count(DISTINCT ...) over a join of every row is needed.
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit
-- Tables: transactions(customer_id, order_date, amount)
-- Output, ordered by cohort_start, periods_since:
--   cohort_start, periods_since, cohort_size, active_customers, retention, revenue
WITH
bounds AS (
    SELECT
        date_trunc($period, min(order_date)) AS first_period,
        date_trunc($period, max(order_date)) AS last_period,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period
    FROM transactions
),
customer_periods AS (
    SELECT
        t.customer_id,
        ((year(t.order_date) - year(b.first_period)) * 12 + month(t.order_date) - month(b.first_period))
            // b.months_per_period AS period_index,
        bool_or(t.amount >= 0) AS ordered,
        sum(t.amount) AS revenue
    FROM transactions AS t, bounds AS b
    GROUP BY 1, 2
),
members AS (
    SELECT customer_id, min(period_index) FILTER (WHERE ordered) AS cohort_index
    FROM customer_periods
    GROUP BY customer_id
    HAVING cohort_index IS NOT NULL
),
cohorts AS (
    SELECT cohort_index, count(*) AS cohort_size
    FROM members
    GROUP BY cohort_index
),
cells AS (
    SELECT
        c.cohort_index,
        c.cohort_size,
        unnest(range(0, ((year(b.last_period) - year(b.first_period)) * 12 + month(b.last_period) - month(b.first_period))
            // b.months_per_period - c.cohort_index + 1)) AS periods_since
    FROM cohorts AS c, bounds AS b
),
observed AS (
    SELECT
        m.cohort_index,
        p.period_index - m.cohort_index AS periods_since,
        count(*) FILTER (WHERE p.ordered) AS active_customers,
        sum(p.revenue) AS revenue
    FROM customer_periods AS p
    JOIN members AS m USING (customer_id)
    GROUP BY ALL
)
SELECT
    b.first_period + c.cohort_index * b.months_per_period * INTERVAL 1 MONTH AS cohort_start,
    c.periods_since,
    c.cohort_size,
    coalesce(o.active_customers, 0) AS active_customers,
    coalesce(o.active_customers, 0) / c.cohort_size AS retention,
    coalesce(o.revenue, 0.0) AS revenue
FROM cells AS c
CROSS JOIN bounds AS b
LEFT JOIN observed AS o USING (cohort_index, periods_since)
ORDER BY cohort_start, c.periods_since
