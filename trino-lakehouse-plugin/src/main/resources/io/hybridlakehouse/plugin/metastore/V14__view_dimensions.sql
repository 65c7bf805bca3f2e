-- The tables each view joins at write time as dimensions, by name: an INSERT into a table reads
-- the views that join it, not every view of the catalog. dimensions_indexed says a view's rows
-- here are complete; views registered before this table existed have none and are read by every
-- INSERT's check, as before, until they are registered again.
CREATE TABLE IF NOT EXISTS hybrid_view_dimensions (
    schema_name VARCHAR(255) NOT NULL,
    view_name VARCHAR(255) NOT NULL,
    dimension_schema VARCHAR(255) NOT NULL,
    dimension_table VARCHAR(255) NOT NULL,
    PRIMARY KEY (schema_name, view_name, dimension_schema, dimension_table)
);

CREATE INDEX IF NOT EXISTS hybrid_view_dimensions_by_table ON hybrid_view_dimensions (dimension_schema, dimension_table);

ALTER TABLE hybrid_materialized_views ADD COLUMN dimensions_indexed INTEGER
