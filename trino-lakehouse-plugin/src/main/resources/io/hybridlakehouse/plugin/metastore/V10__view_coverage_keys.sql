-- The view keys whose times retention removed rows before rows_removed_before (comma-separated):
-- a base query is answered from the view only if it filters each of them from there on.
-- NULL with rows_removed_before set (rows removed before this column existed): no key is known, so none does.
ALTER TABLE hybrid_materialized_views ADD COLUMN rows_removed_keys VARCHAR(4000)
