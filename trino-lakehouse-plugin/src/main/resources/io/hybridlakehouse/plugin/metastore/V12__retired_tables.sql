-- when a materialized view's state table stopped being its state (REFRESH, CREATE OR REPLACE): a read that
-- fetched the view's definition before then still reads it, so the table is dropped a grace period later
ALTER TABLE hybrid_tables ADD COLUMN retired_at BIGINT
