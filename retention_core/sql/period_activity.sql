-- period_activity: flow of the customer base per period (S, N, lost, E), activity, orders and revenue.
--
-- Base: a customer is in the base at the end of period p if they placed an order (a row with amount >= 0) in one
-- of the periods p - $activity_periods + 1 ... p. A customer enters the base in p (first time or reactivated) when
-- they order in p after no order in the $activity_periods periods before p; they leave it in p + k when their
-- order in p is followed by no order within k = $activity_periods periods. Hence E = S - lost + N on every row.
-- Returns (amount < 0) count in revenue only.
--
-- Plan: counted from customer_period_flows.sql (customers per period by arrival and leaving, for the same $period
-- and $activity_periods; about 1,200 rows for 24 quarters), so the orders themselves are read only there.
-- Portable: the same text runs on DuckDB and, transpiled by sqlglot, on Spark (see retention_core/engines).
--
-- Parameters:
--   $period            'month' | 'quarter' | 'year', the date_trunc unit of the flows
--   $activity_periods  integer >= 1, periods an order keeps a customer in the base, as in the flows
-- Tables: flows (the output of customer_period_flows.sql)
-- Output, one row per period from the first to the last period in the data (empty periods included):
--   period_start, customers_start, new_customers, first_time_customers, reactivated_customers, lost_customers,
--   customers_end, active_customers, returning_customers, orders, revenue
WITH
bounds AS (
    SELECT
        min(period_start) AS first_period,
        max(period_index) AS last_index,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period
    FROM flows
),
periods AS (
    SELECT unnest(range(0, last_index + 1)) AS period_index
    FROM bounds
    WHERE last_index IS NOT NULL
),
activity AS (
    SELECT
        period_index,
        sum(customers) FILTER (WHERE ordered) AS active_customers,
        sum(customers) FILTER (WHERE arrival IN ('repeat', 'reactivated')) AS returning_customers,
        sum(customers) FILTER (WHERE arrival = 'first') AS first_time_customers,
        sum(customers) FILTER (WHERE arrival = 'reactivated') AS reactivated_customers,
        sum(orders) AS orders,
        sum(revenue) AS revenue
    FROM flows
    GROUP BY period_index
),
losses AS (
    SELECT period_index + $activity_periods AS period_index, sum(customers) AS lost_customers
    FROM flows
    WHERE leaves
    GROUP BY 1
),
flow AS (
    SELECT
        p.period_index,
        CAST(coalesce(a.first_time_customers, 0) + coalesce(a.reactivated_customers, 0) AS BIGINT) AS new_customers,
        CAST(coalesce(a.first_time_customers, 0) AS BIGINT) AS first_time_customers,
        CAST(coalesce(a.reactivated_customers, 0) AS BIGINT) AS reactivated_customers,
        CAST(coalesce(l.lost_customers, 0) AS BIGINT) AS lost_customers,
        CAST(coalesce(a.active_customers, 0) AS BIGINT) AS active_customers,
        CAST(coalesce(a.returning_customers, 0) AS BIGINT) AS returning_customers,
        CAST(coalesce(a.orders, 0) AS BIGINT) AS orders,
        coalesce(a.revenue, 0.0) AS revenue
    FROM periods AS p
    LEFT JOIN activity AS a USING (period_index)
    LEFT JOIN losses AS l USING (period_index)
),
balances AS (
    SELECT
        *,
        CAST(sum(new_customers - lost_customers) OVER (ORDER BY period_index) AS BIGINT) AS customers_end
    FROM flow
)
SELECT
    b.first_period + s.period_index * b.months_per_period * INTERVAL 1 MONTH AS period_start,
    s.customers_end - s.new_customers + s.lost_customers AS customers_start,
    s.new_customers,
    s.first_time_customers,
    s.reactivated_customers,
    s.lost_customers,
    s.customers_end,
    s.active_customers,
    s.returning_customers,
    s.orders,
    s.revenue
FROM balances AS s, bounds AS b
ORDER BY s.period_index
