-- segment_customer_match: which customer of the orders each customer of the customers sheet is, for the segments
-- of the sheet's attributes (segments/assignment.py: customer_attributes).
--
-- A customer listed more than once counts with their first row (the smallest row_index). Ids are compared as the
-- text the files wrote.
--
-- Parameters: none
-- Tables: sheet(customer_id, row_index)        -- the customers sheet's ids and row positions 0, 1, ...
--         customers(customer_id, position)     -- the customers of the orders and their positions 0, 1, ...
-- Output, one row per distinct customer id of the sheet, ordered by row_index:
--   row_index  the sheet row that describes the customer (their first)
--   position   the customer's position among the customers of the orders; NULL when they have no order
WITH listed AS (
    SELECT customer_id, min(row_index) AS row_index
    FROM sheet
    GROUP BY customer_id
)
SELECT l.row_index, c.position
FROM listed AS l
LEFT JOIN customers AS c ON l.customer_id = c.customer_id
ORDER BY l.row_index
