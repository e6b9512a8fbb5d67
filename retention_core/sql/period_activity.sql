-- period_activity: flow of the customer base per period (S, N, lost, E), activity, orders and revenue.
--
-- Base: a customer is in the base at the end of period p if they placed an order (a row with amount >= 0) in one
-- of the periods p - $activity_periods + 1 ... p. A customer enters the base in p (first time or reactivated) when
-- they order in p after no order in the $activity_periods periods before p; they leave it in p + k when their
-- order in p is followed by no order within k = $activity_periods periods. Hence E = S - lost + N on every row.
-- Returns (amount < 0) count in revenue only.
--
-- Portable: the same text runs on DuckDB and, transpiled by sqlglot, on Spark (see engines.py): months between
-- dates are counted as year * 12 + month, month steps are n * INTERVAL 1 MONTH, window calls are parenthesised.
--
-- Parameters:
--   $period            'month' | 'quarter' | 'year', the date_trunc unit
--   $activity_periods  integer >= 1, periods an order keeps a customer in the base
-- Tables: transactions(customer_id, order_date, amount)
-- Output, one row per period from the first to the last period in the data (empty periods included):
--   period_start, customers_start, new_customers, first_time_customers, reactivated_customers, lost_customers,
--   customers_end, active_customers, repeat_customers, orders, revenue
WITH
bounds AS (
    SELECT
        date_trunc($period, min(order_date)) AS first_period,
        date_trunc($period, max(order_date)) AS last_period,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period
    FROM transactions
),
indexed AS (
    SELECT
        t.customer_id,
        t.amount,
        ((year(t.order_date) - year(b.first_period)) * 12 + month(t.order_date) - month(b.first_period))
            // b.months_per_period AS period_index
    FROM transactions AS t, bounds AS b
),
periods AS (
    SELECT
        unnest(range(0, ((year(last_period) - year(first_period)) * 12 + month(last_period) - month(first_period))
            // months_per_period + 1)) AS period_index
    FROM bounds
    WHERE first_period IS NOT NULL
),
totals AS (
    SELECT period_index, count(*) FILTER (WHERE amount >= 0) AS orders, sum(amount) AS revenue
    FROM indexed
    GROUP BY period_index
),
customer_periods AS (
    SELECT DISTINCT customer_id, period_index
    FROM indexed
    WHERE amount >= 0
),
gaps AS (
    SELECT
        period_index,
        period_index - (lag(period_index) OVER by_customer) AS periods_since_previous,
        (lead(period_index) OVER by_customer) - period_index AS periods_until_next
    FROM customer_periods
    WINDOW by_customer AS (PARTITION BY customer_id ORDER BY period_index)
),
activity AS (
    SELECT
        period_index,
        count(*) AS active_customers,
        count(periods_since_previous) AS repeat_customers,
        count(*) FILTER (WHERE periods_since_previous IS NULL) AS first_time_customers,
        count(*) FILTER (WHERE periods_since_previous > $activity_periods) AS reactivated_customers
    FROM gaps
    GROUP BY period_index
),
losses AS (
    SELECT period_index + $activity_periods AS period_index, count(*) AS lost_customers
    FROM gaps
    WHERE periods_until_next IS NULL OR periods_until_next > $activity_periods
    GROUP BY 1
),
flows AS (
    SELECT
        p.period_index,
        coalesce(a.first_time_customers, 0) + coalesce(a.reactivated_customers, 0) AS new_customers,
        coalesce(a.first_time_customers, 0) AS first_time_customers,
        coalesce(a.reactivated_customers, 0) AS reactivated_customers,
        coalesce(l.lost_customers, 0) AS lost_customers,
        coalesce(a.active_customers, 0) AS active_customers,
        coalesce(a.repeat_customers, 0) AS repeat_customers,
        coalesce(t.orders, 0) AS orders,
        coalesce(t.revenue, 0.0) AS revenue
    FROM periods AS p
    LEFT JOIN activity AS a USING (period_index)
    LEFT JOIN losses AS l USING (period_index)
    LEFT JOIN totals AS t USING (period_index)
),
balances AS (
    SELECT
        *,
        CAST(sum(new_customers - lost_customers) OVER (ORDER BY period_index) AS BIGINT) AS customers_end
    FROM flows
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
    s.repeat_customers,
    s.orders,
    s.revenue
FROM balances AS s, bounds AS b
ORDER BY s.period_index
