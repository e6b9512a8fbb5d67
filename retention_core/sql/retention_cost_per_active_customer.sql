-- retention_cost_per_active_customer: retention cost per period, by category, over the period's active customers.
--
-- Active customers are the customer base at the period's end (customers_end of period_activity.sql, computed
-- with the caller's activity window), so this cost per customer matches the Overview's active customers.
-- Periods are the union of the periods with cost rows and the periods of the activity table. Cost columns are NULL
-- in a period without any cost row (unknown, not zero); a category missing from a period with other costs is 0.
-- A quarterly cost in a monthly view stays whole in the month where it falls (see cost_by_period.sql).
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit
-- Tables: costs(period_start, category, amount), activity(period_start, customers_end) from period_activity
-- Output, ordered by period_start:
--   period_start, retention_cost, team, tools, engagement, active_customers, cost_per_active_customer
WITH
costs_per_period AS (
    SELECT
        date_trunc($period, period_start) AS period_start,
        sum(amount) AS retention_cost,
        coalesce(sum(amount) FILTER (WHERE category = 'team'), 0.0) AS team,
        coalesce(sum(amount) FILTER (WHERE category = 'tools'), 0.0) AS tools,
        coalesce(sum(amount) FILTER (WHERE category = 'engagement'), 0.0) AS engagement
    FROM costs
    GROUP BY 1
),
activity_base AS (
    SELECT period_start, customers_end AS active_customers
    FROM activity
)
SELECT
    period_start,
    c.retention_cost,
    c.team,
    c.tools,
    c.engagement,
    coalesce(a.active_customers, 0) AS active_customers,
    c.retention_cost / nullif(a.active_customers, 0) AS cost_per_active_customer
FROM costs_per_period AS c
FULL OUTER JOIN activity_base AS a USING (period_start)
ORDER BY period_start
