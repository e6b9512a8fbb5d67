-- cohort_retention: share of each first-purchase cohort that orders again n periods later, in long format.
--
-- A customer's cohort is the period of their first order (a row with amount >= 0). A cohort member is active in
-- a period when they place an order in it; revenue is the cohort's net revenue in the period (returns included).
-- Every observed cell is returned, periods_since = 0 ... (last period in the data - cohort period), also cells
-- where no member ordered (active_customers = 0).
--
-- Plan: counted from customer_period_flows.sql (customers per period by cohort, for the same $period and any
-- activity window; about 1,200 rows for 24 quarters), so the orders themselves are read only there.
-- Portable: the same text runs on DuckDB and, transpiled by sqlglot, on Spark (see retention_core/engines).
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit of the flows
-- Tables: flows (the output of customer_period_flows.sql)
-- Output, ordered by cohort_start, periods_since:
--   cohort_start, periods_since, cohort_size, active_customers, retention, revenue
WITH
bounds AS (
    SELECT
        min(period_start) AS first_period,
        max(period_index) AS last_index,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period
    FROM flows
),
cohorts AS (
    SELECT cohort_index, CAST(sum(customers) AS BIGINT) AS cohort_size
    FROM flows
    WHERE arrival = 'first'
    GROUP BY cohort_index
),
cells AS (
    SELECT
        c.cohort_index,
        c.cohort_size,
        unnest(range(0, b.last_index - c.cohort_index + 1)) AS periods_since
    FROM cohorts AS c, bounds AS b
),
observed AS (
    SELECT
        cohort_index,
        period_index - cohort_index AS periods_since,
        sum(customers) FILTER (WHERE ordered) AS active_customers,
        sum(revenue) AS revenue
    FROM flows
    WHERE cohort_index IS NOT NULL
    GROUP BY 1, 2
)
SELECT
    b.first_period + c.cohort_index * b.months_per_period * INTERVAL 1 MONTH AS cohort_start,
    c.periods_since,
    c.cohort_size,
    CAST(coalesce(o.active_customers, 0) AS BIGINT) AS active_customers,
    coalesce(o.active_customers, 0) / c.cohort_size AS retention,
    coalesce(o.revenue, 0.0) AS revenue
FROM cells AS c
CROSS JOIN bounds AS b
LEFT JOIN observed AS o USING (cohort_index, periods_since)
ORDER BY cohort_start, c.periods_since
