-- Retention removed rows of a view's base or of the view itself since the view was built: base rows
-- with times before this instant (epoch milliseconds) are no longer answered alike by both, so base
-- queries are rewritten to the view only where they filter out those times. REFRESH clears it.
ALTER TABLE hybrid_materialized_views ADD COLUMN rows_removed_before BIGINT
