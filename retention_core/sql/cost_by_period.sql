-- cost_by_period: retention costs summed per period and category.
--
-- Each cost row is assigned to the period containing its period_start: quarterly costs roll up into their year,
-- and in a monthly view a quarterly cost stays whole in the month where it falls (the quarter's first month);
-- it is not spread over the quarter's three months.
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit
-- Tables: costs(period_start, category, amount)
-- Output, ordered by period_start, category:
--   period_start, category, amount
SELECT
    date_trunc($period, period_start) AS period_start,
    category,
    sum(amount) AS amount
FROM costs
GROUP BY ALL
ORDER BY period_start, category
