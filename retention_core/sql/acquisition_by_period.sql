-- acquisition_by_period: acquisition spend, new customers and customer acquisition cost (CAC) per period.
--
-- New customers come from the acquisition sheet where it gives a number for the period, otherwise they are the
-- first-time customers in the transactions (customers whose first order, a row with amount >= 0, falls in the
-- period; see first_time_customers.sql). Periods are the union of the periods in the sheet and the periods with
-- first orders.
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit
-- Tables: acquisition(period_start, acquisition_spend, new_customers) -- new_customers all NULL when absent,
--         first_time(period_start, first_time_customers) -- periods with first orders only (first_time_customers.sql)
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
