-- snn_hnsw: the SQL surface of the index and of snn_allocate, and its errors.
SET client_min_messages = warning;
CREATE TABLE pts (id int PRIMARY KEY, pattern spikes(8));
INSERT INTO pts
SELECT i, ARRAY(SELECT (i * (j + 1) * 37 + j * j) % 255 FROM generate_series(0, 7) j)::spikes
FROM generate_series(1, 300) i;
INSERT INTO pts VALUES (301, NULL);
-- duplicates: 25 rows share one pattern, more than one element holds
INSERT INTO pts SELECT 400 + i, '[1,2,3,4,5,6,7,8]' FROM generate_series(1, 25) i;

-- options and their limits
CREATE INDEX ON pts USING snn_hnsw (pattern) WITH (m = 1);
CREATE INDEX ON pts USING snn_hnsw (pattern) WITH (m = 65);
CREATE INDEX ON pts USING snn_hnsw (pattern) WITH (ef_construction = 3);
CREATE INDEX ON pts USING snn_hnsw (pattern) WITH (nope = 3);
CREATE INDEX ON pts USING snn_hnsw (id);
CREATE INDEX ON pts USING snn_hnsw (pattern, id);
CREATE INDEX pts_l2 ON pts USING snn_hnsw (pattern) WITH (m = 8, ef_construction = 32);
SELECT amname FROM pg_am WHERE amname = 'snn_hnsw';
SELECT opcname, amvalidate(oid) FROM pg_opclass WHERE opcmethod = (SELECT oid FROM pg_am WHERE amname = 'snn_hnsw') ORDER BY 1;

-- settings
SHOW snn.ef_search;
SET snn.ef_search = 0;
SET snn.ef_search = 1001;
SET snn.ef_search = 400;
SHOW snn.iterative_scan;
SHOW snn.max_scan_tuples;
SHOW snn.scan_mem_multiplier;
SET snn.iterative_scan = sometimes;
SET snn.max_scan_tuples = -1;
SET snn.scan_mem_multiplier = 0.5;

-- the planner: ordered LIMIT queries use the index, other queries do not
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM pts WHERE pattern <-> '[0,0,0,0,0,0,0,0]' < 10;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <+> '[0,0,0,0,0,0,0,0]' LIMIT 5;
-- a LIMIT above ef_search: the scan goes on (iterative), so the index serves it
SET snn.ef_search = 10;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 50;
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 50) s;
SELECT count(*) FROM (SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT (SELECT 50)) s;
-- strict_order (the default): distances never decrease, over the whole index
SELECT count(*) AS rows, count(*) FILTER (WHERE d < prev) AS out_of_order
FROM (SELECT d, lag(d) OVER (ORDER BY n) AS prev
      FROM (SELECT row_number() OVER () AS n, d
            FROM (SELECT pattern <-> '[9,8,7,6,5,4,3,2]' AS d FROM pts
                  ORDER BY pattern <-> '[9,8,7,6,5,4,3,2]') s) s2) s3;
-- off: one search, at most ef_search elements, and the planner knows it
SET snn.iterative_scan = off;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 50;
SELECT count(*) FROM (SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT (SELECT 50)) s;
RESET snn.iterative_scan;
-- the bound: an error, never a short result
SET snn.max_scan_tuples = 20;
SELECT count(*) FROM (SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 20) s;
SELECT count(*) FROM (SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 21) s;
RESET snn.max_scan_tuples;
SET snn.ef_search = 400;
RESET enable_seqscan;

-- with ef_search above the row count the search is exact: same rows as a scan
CREATE TEMP TABLE queries AS
SELECT q, ARRAY(SELECT (q * 53 + j * 91) % 255 FROM generate_series(0, 7) j)::spikes AS p
FROM generate_series(1, 20) q;
CREATE TEMP TABLE by_index AS
SELECT q, array_agg(d ORDER BY d) AS ds FROM queries,
LATERAL (SELECT pattern <-> p AS d FROM pts ORDER BY pattern <-> p LIMIT 10) s GROUP BY q;
SET enable_indexscan = off;
CREATE TEMP TABLE by_scan AS
SELECT q, array_agg(d ORDER BY d) AS ds FROM queries,
LATERAL (SELECT pattern <-> p AS d FROM pts ORDER BY pattern <-> p LIMIT 10) s GROUP BY q;
RESET enable_indexscan;
SELECT count(*) AS queries, count(*) FILTER (WHERE a.ds = b.ds) AS same FROM by_index a JOIN by_scan b USING (q);

-- duplicates: all 25 copies come back, nearest first
SELECT count(*), max(pattern <-> '[1,2,3,4,5,6,7,8]')
FROM (SELECT pattern FROM pts ORDER BY pattern <-> '[1,2,3,4,5,6,7,8]' LIMIT 25) s;
SELECT id FROM pts ORDER BY pattern <-> '[1,2,3,4,5,6,7,9]' LIMIT 1 OFFSET 25;

-- inserts after the build, NULLs are not indexed
INSERT INTO pts VALUES (1001, '[200,200,200,200,200,200,200,200]'), (1002, NULL);
SELECT id FROM pts ORDER BY pattern <-> '[201,200,200,200,200,200,200,199]' LIMIT 1;
-- rows with a NULL pattern are not in the index: an index scan skips them
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM pts ORDER BY pattern <-> '[1,1,1,1,1,1,1,1]' LIMIT 400) s;
RESET enable_seqscan;

-- dimension errors
SELECT id FROM pts ORDER BY pattern <-> '[1,2,3]' LIMIT 1;
CREATE TABLE free (pattern spikes);
CREATE INDEX free_idx ON free USING snn_hnsw (pattern);
INSERT INTO free VALUES ('[1,2,3]');
INSERT INTO free VALUES ('[1,2,3,4]');
SELECT * FROM free ORDER BY pattern <-> '[1,2,2]' LIMIT 1;

-- an empty index answers nothing; a NULL query orders nothing but is allowed
CREATE TABLE empty (pattern spikes(4));
CREATE INDEX ON empty USING snn_hnsw (pattern);
SELECT * FROM empty ORDER BY pattern <-> '[1,2,3,4]' LIMIT 3;
SELECT count(*) FROM (SELECT * FROM pts ORDER BY pattern <-> NULL LIMIT 3) s;

-- each index scan counts in pg_stat_user_indexes.idx_scan (flushed at the next idle)
CREATE TABLE counted (pattern spikes(2));
INSERT INTO counted VALUES ('[1,2]'), ('[3,4]'), ('[5,6]');
CREATE INDEX counted_idx ON counted USING snn_hnsw (pattern);
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT * FROM counted ORDER BY pattern <-> '[1,1]' LIMIT 1) s;
SELECT count(*) FROM (SELECT * FROM counted ORDER BY pattern <-> '[6,6]' LIMIT 2) s;
RESET enable_seqscan;
SELECT pg_stat_force_next_flush();
SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'counted_idx';

-- L1 index
CREATE INDEX pts_l1 ON pts USING snn_hnsw (pattern spikes_l1_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <+> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT id, pattern <+> '[200,200,200,200,200,200,200,199]' AS d FROM pts
ORDER BY pattern <+> '[200,200,200,200,200,200,200,199]' LIMIT 1;
RESET enable_seqscan;

-- a quantised index costs the executor's heap rechecks: the exact one wins
CREATE INDEX pts_4bit ON pts USING snn_hnsw (pattern) WITH (quantize = '4bit');
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
BEGIN;
DROP INDEX pts_l2;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
ROLLBACK;
RESET enable_seqscan;
DROP INDEX pts_4bit;

-- a 2-bit code alone (L2 compact, L1 standard): the recheck gives exactly
-- the nearest rows of a scan, in exact order
SET enable_indexscan = off;
CREATE TEMP TABLE scan_l2 AS
SELECT q, array_agg(d ORDER BY d) AS ds FROM queries,
LATERAL (SELECT pattern <-> p AS d FROM pts ORDER BY pattern <-> p LIMIT 10) s GROUP BY q;
CREATE TEMP TABLE scan_l1 AS
SELECT q, array_agg(d ORDER BY d) AS ds FROM queries,
LATERAL (SELECT pattern <+> p AS d FROM pts ORDER BY pattern <+> p LIMIT 10) s GROUP BY q;
RESET enable_indexscan;
BEGIN;
DROP INDEX pts_l2, pts_l1;
CREATE INDEX pts_2bit ON pts USING snn_hnsw (pattern) WITH (quantize = '2bit', format = compact);
CREATE INDEX pts_2bit_l1 ON pts USING snn_hnsw (pattern spikes_l1_ops) WITH (quantize = '2bit');
SET LOCAL enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
EXPLAIN (COSTS OFF) SELECT id FROM pts ORDER BY pattern <+> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT count(*) AS queries, count(*) FILTER (WHERE i.ds = s.ds AND i.sorted) AS same FROM scan_l2 s JOIN
  (SELECT q, array_agg(d ORDER BY d) AS ds, array_agg(d ORDER BY rn) = array_agg(d ORDER BY d) AS sorted
   FROM queries, LATERAL (SELECT d, row_number() OVER () AS rn
                          FROM (SELECT pattern <-> p AS d FROM pts ORDER BY pattern <-> p LIMIT 10) x) y
   GROUP BY q) i USING (q);
SELECT count(*) AS queries, count(*) FILTER (WHERE i.ds = s.ds AND i.sorted) AS same FROM scan_l1 s JOIN
  (SELECT q, array_agg(d ORDER BY d) AS ds, array_agg(d ORDER BY rn) = array_agg(d ORDER BY d) AS sorted
   FROM queries, LATERAL (SELECT d, row_number() OVER () AS rn
                          FROM (SELECT pattern <+> p AS d FROM pts ORDER BY pattern <+> p LIMIT 10) x) y
   GROUP BY q) i USING (q);
ROLLBACK;

-- deletes and VACUUM: removed rows are gone, the rest still found
DELETE FROM pts WHERE id % 3 = 0;
VACUUM pts;
CREATE TEMP TABLE after_vacuum AS
SELECT q, array_agg(d ORDER BY d) AS ds FROM queries,
LATERAL (SELECT pattern <-> p AS d FROM pts ORDER BY pattern <-> p LIMIT 10) s GROUP BY q;
SET enable_indexscan = off;
CREATE TEMP TABLE after_vacuum_scan AS
SELECT q, array_agg(d ORDER BY d) AS ds FROM queries,
LATERAL (SELECT pattern <-> p AS d FROM pts ORDER BY pattern <-> p LIMIT 10) s GROUP BY q;
RESET enable_indexscan;
SELECT count(*) AS queries, count(*) FILTER (WHERE a.ds = b.ds) AS same
FROM after_vacuum a JOIN after_vacuum_scan b USING (q);

-- unlogged tables and REINDEX
CREATE UNLOGGED TABLE ul (pattern spikes(4));
INSERT INTO ul VALUES ('[1,2,3,4]'), ('[9,9,9,9]');
CREATE INDEX ul_idx ON ul USING snn_hnsw (pattern);
REINDEX INDEX ul_idx;
SELECT pattern FROM ul ORDER BY pattern <-> '[8,9,9,9]' LIMIT 1;

-- snn_allocate
CREATE TABLE cols (id bigserial PRIMARY KEY, pattern spikes(4));
CREATE INDEX ON cols USING snn_hnsw (pattern);
SELECT * FROM snn_allocate('cols', '[10,20,30,40]', 5);
SELECT * FROM snn_allocate('cols', '[10,20,30,42]', 5);
SELECT * FROM snn_allocate('cols', '[100,20,30,42]', 5);
SELECT * FROM snn_allocate('cols', '[99,20,30,42]', 5, 4);
SELECT * FROM snn_allocate('cols', '[10,20,30,44]', 0);
SELECT id, pattern FROM cols ORDER BY id;
-- the nearest candidate wins even when several are within vigilance
SELECT key FROM snn_allocate('cols', '[11,20,30,40]', 1000);
-- identifiers are quoted, never spliced into SQL
CREATE TABLE "odd ""name""; --" ("my pattern" spikes(2), "Key" bigserial);
SELECT * FROM snn_allocate('"odd ""name""; --"', '[1,1]', 2, 3, 'my pattern', 'Key');
SELECT * FROM snn_allocate('"odd ""name""; --"', '[1,2]', 2, 3, 'my pattern', 'Key');
SELECT * FROM snn_allocate('cols', '[1,1,1,1]', 2, 3, 'pattern"; DROP TABLE cols; --', 'id');
SELECT count(*) FROM cols;
-- errors
SELECT * FROM snn_allocate('cols', '[1,1,1,1]', -1);
SELECT * FROM snn_allocate('cols', '[1,1,1,1]', 'NaN');
SELECT * FROM snn_allocate('cols', '[1,1,1,1]', 'infinity');
SELECT * FROM snn_allocate('cols', '[1,1,1,1]', 1, 0);
SELECT * FROM snn_allocate('cols', '[1,1,1,1]', 1, 1001);
SELECT * FROM snn_allocate('cols', '[1,1,1,1]', 1, 3, 'pattern', 'nokey');
SELECT * FROM snn_allocate('nosuchtable', '[1,1,1,1]', 1);
SELECT * FROM snn_allocate('cols', '[1,1,1]', 1);
SELECT * FROM snn_allocate('cols', NULL, 1);
CREATE TABLE nokeydefault (id bigint, pattern spikes(2));
SELECT * FROM snn_allocate('nokeydefault', '[1,1]', 1);

DROP TABLE pts, free, empty, counted, ul, cols, "odd ""name""; --", nokeydefault;
