-- per-table tiering delay and retention in milliseconds; NULL: catalog default for tier_after, keep forever for retention
ALTER TABLE hybrid_tables ADD COLUMN tier_after_millis BIGINT;
ALTER TABLE hybrid_tables ADD COLUMN retention_millis BIGINT;
-- when a segment stopped being visible to new queries; its file (if it is not Iceberg's now) goes after a grace period
ALTER TABLE hybrid_segments ADD COLUMN dropped_at BIGINT
