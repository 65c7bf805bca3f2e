-- the highest id among the purged segments: a read as of a time before history_purged_before needs only
-- segments above its snapshot's hand-off mark, so it can go on where every purged segment is at or below it.
-- NULL with history_purged_before set (purged before this column existed): any id may have been purged
ALTER TABLE hybrid_tables ADD COLUMN history_purged_segment_id BIGINT
