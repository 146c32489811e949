-- pgbench script: the 10 practices nearest a random point over France (GiST index, <-> ordering).
\set ix random(0, 120000)
\set iy random(0, 80000)
SELECT id FROM bench_practices
ORDER BY geom <-> ST_SetSRID(ST_MakePoint(-4.5 + :ix / 10000.0, 42.5 + :iy / 10000.0), 4326)
LIMIT 10;
