-- The published practices of the benchmark database, as a PostGIS table for Martin, tipg and pgbench.
-- Run by scripts/bench.sh with psql, after \copy of bench/results/practices.csv.
CREATE EXTENSION IF NOT EXISTS postgis;
DROP TABLE IF EXISTS bench_import;
CREATE TABLE bench_import (id BIGINT, title TEXT, school_year TEXT, uai TEXT, lon DOUBLE PRECISION, lat DOUBLE PRECISION);
\copy bench_import FROM 'bench/results/practices.csv' WITH (FORMAT csv)
DROP TABLE IF EXISTS bench_practices;
CREATE TABLE bench_practices AS
  SELECT id, title, school_year, uai, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geometry(Point, 4326) AS geom
  FROM bench_import;
DROP TABLE bench_import;
ALTER TABLE bench_practices ADD PRIMARY KEY (id);
CREATE INDEX bench_practices_geom ON bench_practices USING gist (geom);
VACUUM ANALYZE bench_practices;
