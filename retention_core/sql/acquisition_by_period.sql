-- acquisition_by_period: acquisition spend, new customers and customer acquisition cost (CAC) per period.
--
-- New customers come from the acquisition sheet where it gives a number for the period, otherwise they are the
-- first-time customers in the transactions (customers whose first order, a row with amount >= 0, falls in the
-- period). Periods are the union of the periods in the sheet and the periods with first orders.
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit
-- Tables: acquisition(period_start, acquisition_spend, new_customers) -- new_customers all NULL when absent,
--         transactions(customer_id, order_date, amount)
-- Output, ordered by period_start:
--   period_start, acquisition_spend, new_customers, new_customers_source ('sheet' | 'transactions'), cac
WITH
spend AS (
    SELECT
        date_trunc($period, period_start) AS period_start,
        sum(acquisition_spend) AS acquisition_spend,
        sum(new_customers) AS new_customers
    FROM acquisition
    GROUP BY 1
),
first_orders AS (
    SELECT date_trunc($period, min(order_date) FILTER (WHERE amount >= 0)) AS period_start
    FROM transactions
    GROUP BY customer_id
),
first_time AS (
    SELECT period_start, count(*) AS first_time_customers
    FROM first_orders
    WHERE period_start IS NOT NULL
    GROUP BY period_start
),
merged AS (
    SELECT
        period_start,
        s.acquisition_spend,
        CAST(coalesce(s.new_customers, f.first_time_customers, 0) AS DOUBLE) AS new_customers,
        CASE WHEN s.new_customers IS NOT NULL THEN 'sheet' ELSE 'transactions' END AS new_customers_source
    FROM spend AS s
    FULL OUTER JOIN first_time AS f USING (period_start)
)
SELECT
    period_start,
    acquisition_spend,
    new_customers,
    new_customers_source,
    acquisition_spend / nullif(new_customers, 0) AS cac
FROM merged
ORDER BY period_start
