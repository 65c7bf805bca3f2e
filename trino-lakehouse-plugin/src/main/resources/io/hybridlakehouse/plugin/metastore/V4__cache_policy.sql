-- table property cache (NONE, HOT, ALL; NULL: the catalog default) and where the table's files live, for the cache to find a file's table
ALTER TABLE hybrid_tables ADD COLUMN cache_policy VARCHAR(16);
ALTER TABLE hybrid_tables ADD COLUMN table_location VARCHAR(2000)
