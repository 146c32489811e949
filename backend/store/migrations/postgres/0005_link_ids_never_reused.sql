-- PostgreSQL identity columns never hand out an id twice; this migration exists so that both
-- backends keep the same numbering (the SQLite one rebuilds the links table with AUTOINCREMENT).
SELECT 1;
