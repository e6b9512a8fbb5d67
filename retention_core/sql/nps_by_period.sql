-- nps_by_period: Net Promoter Score answers per period, split into promoters, passives and detractors.
--
-- Promoters answer 9-10, passives 7-8, detractors 0-6 (Reichheld 2003). Answers without a score are not counted.
--
-- Parameters:
--   $period  'month' | 'quarter' | 'year', the date_trunc unit
-- Tables: nps(response_date, score)
-- Output, one row per period with at least one answer, ordered by period_start:
--   period_start, responses, promoters, passives, detractors
SELECT
    date_trunc($period, response_date) AS period_start,
    count(score) AS responses,
    count(*) FILTER (WHERE score >= 9) AS promoters,
    count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,
    count(*) FILTER (WHERE score <= 6) AS detractors
FROM nps
WHERE score IS NOT NULL
GROUP BY 1
ORDER BY 1
