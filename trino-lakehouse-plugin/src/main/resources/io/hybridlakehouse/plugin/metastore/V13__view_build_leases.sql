-- Who builds a materialized view (CREATE, REFRESH, CREATE OR REPLACE) and when it last said it still
-- does (epoch milliseconds): a build no process renews is resumed by the background service, or undone
-- when it was the view's CREATE (build_creates = 1). Builds registered before this column existed have
-- no owner, so they count as abandoned.
ALTER TABLE hybrid_materialized_views ADD COLUMN build_owner VARCHAR(64);
ALTER TABLE hybrid_materialized_views ADD COLUMN build_renewed_at BIGINT;
ALTER TABLE hybrid_materialized_views ADD COLUMN build_creates INTEGER
