-- customer_period_flows: customers per period, counted by how they arrive in and leave the customer base and by
-- their first-order cohort; the one pass over the orders that period_activity.sql and cohort_retention.sql read.
--
-- Each customer's rows become three numbers: the cohort (the period of the first order) and two bit masks, bit p
-- set when the customer ordered in period p (ordered_mask) or has any row in it, returns included (period_mask).
-- Whether the customer ordered in the $activity_periods periods before or after p is then a test of a few bits:
--   ordered before  (ordered_mask >> max(p - w, 0)) & (2^(p - max(p - w, 0)) - 1) <> 0
--   ordered after   (ordered_mask >> (p + 1)) & (2^w - 1) <> 0,   w = $activity_periods (at most 62, see below)
-- The customer-periods are counted from the masks: customers with the same cohort and masks are counted once,
-- then spread over the periods whose bit is set. Orders and revenue come from the rows, each joined with its
-- customer's masks. The result is small (at most periods x cohorts x 5 rows).
-- A BIGINT holds 63 bits, so this file counts at most 63 periods from the first to the last in the data
-- (queries.MASK_PERIODS; enough for 15 years of quarters). A window of 62 periods already spans them all, so a
-- longer window gives the same counts. Longer histories are counted by customer_period_flows_window.sql, which
-- gives the same output. Measured at 10 M order rows (3.6 M customers, 24 quarters): one grouping by customer
-- and one join instead of a grouping by (customer, period) and a window sorting its 7.5 M rows; 1.3 s less.
--
-- Portable: the same text runs on DuckDB and, transpiled by sqlglot, on Spark (see retention_core/engines): months between
-- dates are counted as year * 12 + month, month steps are n * INTERVAL 1 MONTH, shifts become shiftleft/shiftright.
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
-- The revenue bridge (revenue_bridge.sql) is counted from these rows. Comparing a customer's revenue in two
-- periods in a row needs it per customer and pair of periods: paired_rows takes the rows of the customer-periods
-- next to another ordered period (bits of previous_mask and next_mask; at 10 M rows about half of the rows) once
-- for each pair they belong to, and pairs sums them per customer and pair, the later period's rows less the
-- earlier one's (2.2 M pairs of quarters at 10 M rows). This is the one grouping by customer and period of this
-- file, and the orders are read a third time for it; a grouping by customer and period followed by a join of each
-- period to the one before took about 10 % more CPU time.
WITH
span AS (
    SELECT
        date_trunc($period, min(order_date)) AS first_period,
        max(order_date) AS last_date,
        CASE $period WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'year' THEN 12 END AS months_per_period,
        least($activity_periods, 62) AS window_periods
    FROM transactions
),
bounds AS (
    SELECT
        first_period,
        months_per_period,
        window_periods,
        ((year(last_date) - year(first_period)) * 12 + month(last_date) - month(first_period))
            // months_per_period AS last_index
    FROM span
),
ordered_periods AS (
    -- the period index is computed here and again in money: as one shared CTE DuckDB would store all 10 M rows
    SELECT
        customer_id,
        min(period_index) FILTER (WHERE amount >= 0) AS cohort_index,
        coalesce(bit_or(CAST(1 AS BIGINT) << period_index) FILTER (WHERE amount >= 0), 0) AS ordered_mask,
        bit_or(CAST(1 AS BIGINT) << period_index) AS period_mask
    FROM (
        SELECT
            t.customer_id,
            t.amount,
            CAST(
                ((year(t.order_date) - year(b.first_period)) * 12 + month(t.order_date) - month(b.first_period))
                    // b.months_per_period AS INTEGER
            ) AS period_index
        FROM transactions AS t, bounds AS b
    ) AS indexed
    GROUP BY customer_id
),
customers AS (
    -- bit p of previous_mask: an order in p and in p - 1; of next_mask: an order in p and in p + 1 (63 bits: the
    -- shift left drops bit 62 first, which has no period after it)
    SELECT
        customer_id,
        cohort_index,
        ordered_mask,
        period_mask,
        ordered_mask & ((ordered_mask & ((CAST(1 AS BIGINT) << 62) - 1)) << 1) AS previous_mask,
        ordered_mask & (ordered_mask >> 1) AS next_mask
    FROM ordered_periods
),
patterns AS (
    SELECT cohort_index, ordered_mask, period_mask, previous_mask, next_mask, count(*) AS customers
    FROM customers
    GROUP BY cohort_index, ordered_mask, period_mask, previous_mask, next_mask
),
pattern_periods AS (
    SELECT p.*, unnest(range(0, b.last_index + 1)) AS period_index
    FROM patterns AS p, bounds AS b
),
counts AS (
    SELECT
        p.period_index,
        p.cohort_index,
        (p.ordered_mask >> p.period_index) & 1 = 1 AS ordered,
        (p.ordered_mask >> greatest(p.period_index - b.window_periods, 0))
            & ((CAST(1 AS BIGINT) << (p.period_index - greatest(p.period_index - b.window_periods, 0))) - 1) <> 0
            AS ordered_before,
        (p.ordered_mask >> (p.period_index + 1)) & ((CAST(1 AS BIGINT) << b.window_periods) - 1) <> 0
            AS ordered_after,
        (p.previous_mask >> p.period_index) & 1 = 1 AS ordered_previous,
        (p.next_mask >> p.period_index) & 1 = 1 AS ordered_next,
        sum(p.customers) AS customers
    FROM pattern_periods AS p, bounds AS b
    WHERE (p.period_mask >> p.period_index) & 1 = 1
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
money AS (
    -- the same bit tests as in counts, on each row with its customer's mask
    SELECT
        r.period_index,
        c.cohort_index,
        (c.ordered_mask >> r.period_index) & 1 = 1 AS ordered,
        (c.ordered_mask >> greatest(r.period_index - b.window_periods, 0))
            & ((CAST(1 AS BIGINT) << (r.period_index - greatest(r.period_index - b.window_periods, 0))) - 1) <> 0
            AS ordered_before,
        (c.ordered_mask >> (r.period_index + 1)) & ((CAST(1 AS BIGINT) << b.window_periods) - 1) <> 0
            AS ordered_after,
        (c.previous_mask >> r.period_index) & 1 = 1 AS ordered_previous,
        (c.next_mask >> r.period_index) & 1 = 1 AS ordered_next,
        count(*) FILTER (WHERE r.amount >= 0) AS orders,
        sum(r.amount) AS revenue
    FROM (
        SELECT
            t.customer_id,
            t.amount,
            CAST(
                ((year(t.order_date) - year(b.first_period)) * 12 + month(t.order_date) - month(b.first_period))
                    // b.months_per_period AS INTEGER
            ) AS period_index
        FROM transactions AS t, bounds AS b
    ) AS r
    JOIN customers AS c ON c.customer_id = r.customer_id
    CROSS JOIN bounds AS b
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
paired_rows AS (
    -- each row of a customer-period next to another ordered period, once for each pair of periods it is part of:
    -- as the later period of the pair (p - 1, p) and as the earlier one of (p, p + 1)
    SELECT
        r.customer_id,
        r.period_index + pair.later AS pair_end,
        CASE WHEN pair.later = 0 THEN r.amount ELSE 0 END AS later_amount,
        CASE WHEN pair.later = 1 THEN r.amount ELSE 0 END AS earlier_amount,
        c.cohort_index,
        c.ordered_mask,
        c.next_mask
    FROM (
        SELECT
            t.customer_id,
            t.amount,
            CAST(
                ((year(t.order_date) - year(b.first_period)) * 12 + month(t.order_date) - month(b.first_period))
                    // b.months_per_period AS INTEGER
            ) AS period_index
        FROM transactions AS t, bounds AS b
    ) AS r
    JOIN customers AS c ON c.customer_id = r.customer_id
    CROSS JOIN (SELECT 0 AS later UNION ALL SELECT 1) AS pair
    WHERE c.next_mask <> 0
        AND CASE WHEN pair.later = 0 THEN (c.previous_mask >> r.period_index) & 1 = 1
            ELSE (c.next_mask >> r.period_index) & 1 = 1 END
),
pairs AS (
    SELECT
        pair_end AS period_index,
        any_value(cohort_index) AS cohort_index,
        any_value(ordered_mask) AS ordered_mask,
        any_value(next_mask) AS next_mask,
        sum(later_amount) - sum(earlier_amount) AS change
    FROM paired_rows
    GROUP BY customer_id, pair_end
),
changes AS (
    -- each customer with an order in two periods in a row, keyed like money in the later period
    SELECT
        p.period_index,
        p.cohort_index,
        (p.ordered_mask >> greatest(p.period_index - b.window_periods, 0))
            & ((CAST(1 AS BIGINT) << (p.period_index - greatest(p.period_index - b.window_periods, 0))) - 1)
            <> 0 AS ordered_before,
        (p.ordered_mask >> (p.period_index + 1)) & ((CAST(1 AS BIGINT) << b.window_periods) - 1) <> 0
            AS ordered_after,
        (p.next_mask >> p.period_index) & 1 = 1 AS ordered_next,
        sum(greatest(p.change, 0)) AS expansion,
        sum(greatest(-p.change, 0)) AS contraction,
        count(*) FILTER (WHERE p.change > 0.005) AS expanding_customers,
        count(*) FILTER (WHERE p.change < -0.005) AS contracting_customers
    FROM pairs AS p, bounds AS b
    GROUP BY 1, 2, 3, 4, 5
),
counted AS (
    SELECT
        c.period_index,
        c.cohort_index,
        c.ordered,
        CASE
            WHEN NOT c.ordered THEN NULL
            WHEN c.period_index = c.cohort_index THEN 'first'
            WHEN c.ordered_before THEN 'repeat'
            ELSE 'reactivated'
        END AS arrival,
        c.ordered AND NOT c.ordered_after AS leaves,
        c.ordered_previous,
        c.ordered_next,
        sum(c.customers) AS customers,
        sum(m.orders) AS orders,
        sum(m.revenue) AS revenue,
        sum(coalesce(x.expansion, 0.0)) AS expansion,
        sum(coalesce(x.contraction, 0.0)) AS contraction,
        sum(coalesce(x.expanding_customers, 0)) AS expanding_customers,
        sum(coalesce(x.contracting_customers, 0)) AS contracting_customers
    FROM counts AS c
    JOIN money AS m
        ON m.period_index = c.period_index
        AND m.cohort_index IS NOT DISTINCT FROM c.cohort_index
        AND m.ordered = c.ordered
        AND m.ordered_before = c.ordered_before
        AND m.ordered_after = c.ordered_after
        AND m.ordered_previous = c.ordered_previous
        AND m.ordered_next = c.ordered_next
    LEFT JOIN changes AS x
        ON c.ordered_previous
        AND x.period_index = c.period_index
        AND x.cohort_index = c.cohort_index
        AND x.ordered_before = c.ordered_before
        AND x.ordered_after = c.ordered_after
        AND x.ordered_next = c.ordered_next
    GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT
    CAST(c.period_index AS BIGINT) AS period_index,
    b.first_period + c.period_index * b.months_per_period * INTERVAL 1 MONTH AS period_start,
    CAST(c.cohort_index AS BIGINT) AS cohort_index,
    c.ordered,
    c.arrival,
    c.leaves,
    c.ordered_previous,
    c.ordered_next,
    CAST(c.customers AS BIGINT) AS customers,
    CAST(c.orders AS BIGINT) AS orders,
    c.revenue,
    c.expansion,
    c.contraction,
    CAST(c.expanding_customers AS BIGINT) AS expanding_customers,
    CAST(c.contracting_customers AS BIGINT) AS contracting_customers
FROM counted AS c, bounds AS b
ORDER BY
    c.period_index, c.cohort_index NULLS LAST, c.arrival NULLS LAST, c.leaves, c.ordered_previous, c.ordered_next
