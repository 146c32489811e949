-- The fibre (FttH) coverage of each commune, from ARCEP's deployment observatory (repere import fibre):
-- premises counted, premises that can be connected, and the quarter of the figures.
CREATE TABLE commune_fibre (
    commune_code TEXT PRIMARY KEY,
    commune_name TEXT NOT NULL,
    premises     BIGINT NOT NULL CHECK (premises >= 0),
    connectable  BIGINT NOT NULL CHECK (connectable >= 0),
    quarter      TEXT NOT NULL
);

-- The outline of each commune (repere import communes), a simplified GeoJSON geometry in CRS84, for the
-- choropleth of the fibre coverage.
CREATE TABLE commune_outlines (
    commune_code TEXT PRIMARY KEY,
    commune_name TEXT NOT NULL,
    departement  TEXT NOT NULL,
    geometry     TEXT NOT NULL
);
