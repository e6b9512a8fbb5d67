-- revenue_bridge: where the revenue of a period comes from and where last period's revenue went (the revenue
-- bridge behind net and gross revenue retention), per period and first-order cohort.
--
-- A customer counts in a period when they bought in it (placed an order: a row with amount >= 0), as everywhere in
-- the dashboard; their revenue there is their net revenue, orders less returns. For a period P and the one before
-- it, P - 1 (the same grid as the flows):
--   starting     revenue in P - 1 of the customers who bought in P - 1
--   new          revenue in P of the customers whose first order is in P
--   reactivated  revenue in P of the customers who bought in P, not in P - 1, and ordered before P - 1
--   expansion    for the customers who bought in P - 1 and in P: revenue in P less revenue in P - 1, where positive
--   contraction  for the same customers: revenue in P - 1 less revenue in P, where positive
--   churned      revenue in P - 1 of the customers who bought in P - 1 and not in P
--   ending       revenue in P of the customers who bought in P
-- Every customer with an order in P - 1 or P is in exactly one of new, reactivated, continuing (expansion or
-- contraction or neither) and churned, so per cohort and in sum:
--   starting + new + reactivated + expansion - contraction - churned = ending,   and ending of P = starting of P + 1.
-- Returns in a period without an order in it (returns_without_order, <= 0) belong to no buyer of that period and
-- stay outside the bridge: the period's net revenue (period_activity.sql) = ending + returns_without_order. The
-- first period has no period before it: its starting revenue is 0 and all of its revenue is new.
--
-- Plan: counted from customer_period_flows.sql (its ordered_previous / ordered_next keys and expansion /
-- contraction sums, for the same $period and any activity window), so the orders are read only there. Each flows
-- row adds to its own period (ending, new, reactivated, expansion, contraction, returns) and, when ordered, to the
-- next one (starting, churned).
-- Portable: the same text runs on DuckDB and, transpiled by sqlglot, on Spark (see retention_core/engines).
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit of the flows
-- Tables: flows (the output of customer_period_flows.sql)
-- Output, one row per period and cohort with a buyer in P - 1 or P or returns without an order in P, ordered by
-- period_index, cohort_index (missing last):
--   period_index, period_start   the period P (0 = the first period in the data)
--   cohort_index, cohort_start   the customers' first-order period; NULL for customers who never ordered (returns
--                                only, so only returns_without_order)
--   starting_revenue, new_revenue, reactivated_revenue, expansion_revenue, contraction_revenue, churned_revenue,
--   ending_revenue, returns_without_order   money in the data's currency, as defined above
--   starting_customers, new_customers, reactivated_customers, expanding_customers, contracting_customers,
--   churned_customers, ending_customers     how many customers each line counts
WITH
bounds AS (
    SELECT
        min(period_start) AS first_period,
        max(period_index) AS last_index,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period
    FROM flows
),
moves AS (
    SELECT
        period_index,
        cohort_index,
        CASE WHEN ordered THEN revenue ELSE 0 END AS ending_revenue,
        CASE WHEN ordered THEN customers ELSE 0 END AS ending_customers,
        CASE WHEN ordered AND period_index = cohort_index THEN revenue ELSE 0 END AS new_revenue,
        CASE WHEN ordered AND period_index = cohort_index THEN customers ELSE 0 END AS new_customers,
        CASE WHEN ordered AND NOT ordered_previous AND period_index > cohort_index THEN revenue ELSE 0 END
            AS reactivated_revenue,
        CASE WHEN ordered AND NOT ordered_previous AND period_index > cohort_index THEN customers ELSE 0 END
            AS reactivated_customers,
        expansion AS expansion_revenue,
        expanding_customers,
        contraction AS contraction_revenue,
        contracting_customers,
        CASE WHEN ordered THEN 0 ELSE revenue END AS returns_without_order,
        CAST(0 AS DOUBLE) AS starting_revenue,
        0 AS starting_customers,
        CAST(0 AS DOUBLE) AS churned_revenue,
        0 AS churned_customers
    FROM flows
    UNION ALL
    SELECT
        f.period_index + 1 AS period_index,
        f.cohort_index,
        CAST(0 AS DOUBLE), 0, CAST(0 AS DOUBLE), 0, CAST(0 AS DOUBLE), 0, CAST(0 AS DOUBLE), 0, CAST(0 AS DOUBLE), 0,
        CAST(0 AS DOUBLE),
        f.revenue AS starting_revenue,
        f.customers AS starting_customers,
        CASE WHEN f.ordered_next THEN 0 ELSE f.revenue END AS churned_revenue,
        CASE WHEN f.ordered_next THEN 0 ELSE f.customers END AS churned_customers
    FROM flows AS f, bounds AS b
    WHERE f.ordered AND f.period_index < b.last_index
),
cells AS (
    SELECT
        period_index,
        cohort_index,
        sum(starting_revenue) AS starting_revenue,
        sum(new_revenue) AS new_revenue,
        sum(reactivated_revenue) AS reactivated_revenue,
        sum(expansion_revenue) AS expansion_revenue,
        sum(contraction_revenue) AS contraction_revenue,
        sum(churned_revenue) AS churned_revenue,
        sum(ending_revenue) AS ending_revenue,
        sum(returns_without_order) AS returns_without_order,
        sum(starting_customers) AS starting_customers,
        sum(new_customers) AS new_customers,
        sum(reactivated_customers) AS reactivated_customers,
        sum(expanding_customers) AS expanding_customers,
        sum(contracting_customers) AS contracting_customers,
        sum(churned_customers) AS churned_customers,
        sum(ending_customers) AS ending_customers
    FROM moves
    GROUP BY period_index, cohort_index
)
SELECT
    CAST(c.period_index AS BIGINT) AS period_index,
    b.first_period + c.period_index * b.months_per_period * INTERVAL 1 MONTH AS period_start,
    CAST(c.cohort_index AS BIGINT) AS cohort_index,
    b.first_period + c.cohort_index * b.months_per_period * INTERVAL 1 MONTH AS cohort_start,
    c.starting_revenue,
    c.new_revenue,
    c.reactivated_revenue,
    c.expansion_revenue,
    c.contraction_revenue,
    c.churned_revenue,
    c.ending_revenue,
    c.returns_without_order,
    CAST(c.starting_customers AS BIGINT) AS starting_customers,
    CAST(c.new_customers AS BIGINT) AS new_customers,
    CAST(c.reactivated_customers AS BIGINT) AS reactivated_customers,
    CAST(c.expanding_customers AS BIGINT) AS expanding_customers,
    CAST(c.contracting_customers AS BIGINT) AS contracting_customers,
    CAST(c.churned_customers AS BIGINT) AS churned_customers,
    CAST(c.ending_customers AS BIGINT) AS ending_customers
FROM cells AS c, bounds AS b
ORDER BY c.period_index, c.cohort_index NULLS LAST
