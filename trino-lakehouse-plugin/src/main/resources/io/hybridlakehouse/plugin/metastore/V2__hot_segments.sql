-- Tables of the catalog that this connector manages (created through it); tables without a row are plain Iceberg ("lake") tables
CREATE TABLE IF NOT EXISTS hybrid_tables (
    table_uuid VARCHAR(64) NOT NULL PRIMARY KEY,
    schema_name VARCHAR(255) NOT NULL,
    table_name VARCHAR(255) NOT NULL,
    mode VARCHAR(16) NOT NULL,
    -- next id handed to a new segment; ids grow monotonically per table
    next_segment_id BIGINT NOT NULL,
    -- bumped by every commit that changes the segment set; readers pin a version (MVCC)
    version BIGINT NOT NULL,
    -- segments with ids up to this are being moved to Iceberg: compaction leaves them alone
    tiering_claim BIGINT NOT NULL
);

-- Hot-tier segments: immutable Parquet data files written with the table's Iceberg schema and partition spec
CREATE TABLE IF NOT EXISTS hybrid_segments (
    table_uuid VARCHAR(64) NOT NULL,
    segment_id BIGINT NOT NULL,
    created_version BIGINT NOT NULL,
    dropped_version BIGINT,
    drop_reason VARCHAR(16),
    path VARCHAR(2000) NOT NULL,
    file_size BIGINT NOT NULL,
    record_count BIGINT NOT NULL,
    partition_key VARCHAR(4000) NOT NULL,
    -- the writer's commit task (Iceberg CommitTaskData JSON): partition spec and data, per-column metrics
    commit_task TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (table_uuid, segment_id, created_version)
);

CREATE INDEX IF NOT EXISTS hybrid_segments_live ON hybrid_segments (table_uuid, dropped_version, segment_id)
