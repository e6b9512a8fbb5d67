-- customer_period_flows_window: the output of customer_period_flows.sql, for order logs spanning more periods than
-- its bit masks hold (more than queries.MASK_PERIODS = 63). Customers per period, counted by how they arrive in and
-- leave the customer base and by their first-order cohort.
--
-- The rows are reduced to one per customer and period (orders = rows with amount >= 0, net revenue with returns);
-- one window over each customer's periods then gives, for a period with an order, the periods since the previous
-- period with an order and until the next one, and for every period the customer's cohort (the period of the
-- first order). The customer-periods are counted by those few values, so the result is small (at most periods x
-- cohorts x 5 rows) while the work over the orders is done once.
-- A customer's periods are ordered periods first, in time order, then periods with returns only: so lag and lead
-- over the ordered periods skip the periods without an order, and the first row is the first ordered period. The
-- lag also gives the net revenue of the previous ordered period, which expansion and contraction compare with.
--
-- Portable: the same text runs on DuckDB and, transpiled by sqlglot, on Spark (see retention_core/engines): months between
-- dates are counted as year * 12 + month, month steps are n * INTERVAL 1 MONTH, window calls are parenthesised.
--
-- Parameters:
--   $period            'month' | 'quarter' | 'year', the date_trunc unit
--   $activity_periods  integer >= 1, periods an order keeps a customer in the base (see period_activity.sql)
-- Tables: transactions(customer_id, order_date, amount)
-- Output, one row per combination that occurs, ordered by period_index, cohort_index, arrival (missing last), leaves,
-- ordered_previous, ordered_next:
--   period_index  periods since the first period in the data (0 = the first period)
--   period_start  first day of the period
--   cohort_index  period_index of the customer's first order; NULL for a customer whose rows are all returns
--   ordered       true when these customers ordered in the period, false when they only returned goods
--   arrival       for ordered: 'first' (first order ever), 'reactivated' (the previous order more than
--                 $activity_periods periods before) or 'repeat' (within them); NULL when not ordered
--   leaves        ordered, and no order in the $activity_periods periods after: they leave the base in
--                 period_index + $activity_periods
--   ordered_previous  ordered in this period and in the one before (period_index - 1), whatever the window
--   ordered_next      ordered in this period and in the one after (period_index + 1)
--   customers     customers with these values; orders, revenue: their orders and net revenue in the period
--   expansion, contraction  on ordered_previous rows: the sum over these customers of their net revenue in the
--                 period less that in the period before, where positive (expansion), and of the opposite
--                 difference, where positive (contraction); 0 on the other rows
--   expanding_customers, contracting_customers  how many of them have a difference of each kind, of more than
--                 half a cent (smaller ones are the rounding of sums of amounts, which differs between engines)
WITH
bounds AS (
    SELECT
        date_trunc($period, min(order_date)) AS first_period,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period
    FROM transactions
),
customer_periods AS (
    SELECT
        t.customer_id,
        ((year(t.order_date) - year(b.first_period)) * 12 + month(t.order_date) - month(b.first_period))
            // b.months_per_period AS period_index,
        count(*) FILTER (WHERE t.amount >= 0) AS orders,
        sum(t.amount) AS revenue
    FROM transactions AS t, bounds AS b
    GROUP BY 1, 2
),
sequenced AS (
    SELECT
        period_index,
        orders,
        revenue,
        period_index - (lag(CASE WHEN orders > 0 THEN period_index END) OVER by_customer) AS periods_since_previous,
        (lead(CASE WHEN orders > 0 THEN period_index END) OVER by_customer) - period_index AS periods_until_next,
        (first_value(CASE WHEN orders > 0 THEN period_index END) OVER by_customer) AS cohort_index,
        revenue - (lag(revenue) OVER by_customer) AS change
    FROM customer_periods
    WINDOW by_customer AS (PARTITION BY customer_id ORDER BY orders > 0 DESC, period_index)
),
counted AS (
    SELECT
        period_index,
        cohort_index,
        orders > 0 AS ordered,
        CASE
            WHEN orders = 0 THEN NULL
            WHEN periods_since_previous IS NULL THEN 'first'
            WHEN periods_since_previous > $activity_periods THEN 'reactivated'
            ELSE 'repeat'
        END AS arrival,
        orders > 0 AND coalesce(periods_until_next > $activity_periods, true) AS leaves,
        orders > 0 AND coalesce(periods_since_previous = 1, false) AS ordered_previous,
        orders > 0 AND coalesce(periods_until_next = 1, false) AS ordered_next,
        count(*) AS customers,
        sum(orders) AS orders,
        sum(revenue) AS revenue,
        coalesce(sum(greatest(change, 0)) FILTER (WHERE orders > 0 AND periods_since_previous = 1), 0.0)
            AS expansion,
        coalesce(sum(greatest(-change, 0)) FILTER (WHERE orders > 0 AND periods_since_previous = 1), 0.0)
            AS contraction,
        count(*) FILTER (WHERE orders > 0 AND periods_since_previous = 1 AND change > 0.005) AS expanding_customers,
        count(*) FILTER (WHERE orders > 0 AND periods_since_previous = 1 AND change < -0.005)
            AS contracting_customers
    FROM sequenced
    GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT
    c.period_index,
    b.first_period + c.period_index * b.months_per_period * INTERVAL 1 MONTH AS period_start,
    c.cohort_index,
    c.ordered,
    c.arrival,
    c.leaves,
    c.ordered_previous,
    c.ordered_next,
    c.customers,
    CAST(c.orders AS BIGINT) AS orders,
    c.revenue,
    c.expansion,
    c.contraction,
    c.expanding_customers,
    c.contracting_customers
FROM counted AS c, bounds AS b
ORDER BY
    c.period_index, c.cohort_index NULLS LAST, c.arrival NULLS LAST, c.leaves, c.ordered_previous, c.ordered_next
