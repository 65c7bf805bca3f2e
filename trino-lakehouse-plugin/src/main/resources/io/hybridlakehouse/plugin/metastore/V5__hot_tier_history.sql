-- when the segment's commit became visible (created_at is the age of its rows, which compaction keeps from its inputs):
-- with dropped_at it tells which segments a query as of a past time sees
ALTER TABLE hybrid_segments ADD COLUMN committed_at BIGINT;
UPDATE hybrid_segments SET committed_at = created_at WHERE committed_at IS NULL;
-- segments dropped before this time are purged: the hot tier as of an earlier time can no longer be read
ALTER TABLE hybrid_tables ADD COLUMN history_purged_before BIGINT
