-- Synchronous materialized views: the definition (JSON of SynchronousView) and whether its state table is being built
CREATE TABLE IF NOT EXISTS hybrid_materialized_views (
    schema_name VARCHAR(255) NOT NULL,
    view_name VARCHAR(255) NOT NULL,
    definition_json TEXT NOT NULL,
    building INTEGER NOT NULL,
    PRIMARY KEY (schema_name, view_name)
);

-- The base tables whose INSERTs maintain each view, by table uuid: an INSERT's commit reads them in its transaction
CREATE TABLE IF NOT EXISTS hybrid_view_bases (
    schema_name VARCHAR(255) NOT NULL,
    view_name VARCHAR(255) NOT NULL,
    base_uuid VARCHAR(64) NOT NULL,
    PRIMARY KEY (schema_name, view_name, base_uuid)
);

CREATE INDEX IF NOT EXISTS hybrid_view_bases_by_base ON hybrid_view_bases (base_uuid)
