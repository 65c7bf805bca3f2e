-- Distinct-value sketches of the rows each hot INSERT wrote, per column: Apache DataSketches theta
-- sketches (base64), as Iceberg's Puffin statistics hold them. Keyed by the INSERT's highest segment
-- id; tiering through that id carries them into the Iceberg table's statistics and deletes them here
CREATE TABLE IF NOT EXISTS hybrid_column_sketches (
    table_uuid VARCHAR(64) NOT NULL,
    through_segment_id BIGINT NOT NULL,
    field_id INTEGER NOT NULL,
    sketch TEXT NOT NULL,
    PRIMARY KEY (table_uuid, through_segment_id, field_id)
)
