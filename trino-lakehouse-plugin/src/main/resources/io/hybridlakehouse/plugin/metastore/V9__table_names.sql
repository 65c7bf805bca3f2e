-- a query reads the tables it names by name, not the whole catalog: the name needs an index
CREATE INDEX IF NOT EXISTS hybrid_tables_by_name ON hybrid_tables (schema_name, table_name)
