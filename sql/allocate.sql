-- snn_allocate at scale: the winner is the nearest of the candidates the
-- index returned (the winner-take-all never loses one), and at the default
-- settings it is the exact nearest column for at least 98 % of facts on a
-- deterministic clustered data set; snn.allocate_ef.
SELECT setseed(0.25);
-- the data of test/bench/allocate_bench.sh, smaller: 100 clusters of 100
-- columns, 128 neurons; centres fire at a step in 0..200 and leave about a
-- fifth silent; members move each spike by up to 20 steps and fire a silent
-- neuron at a random step with probability 0.1
CREATE TEMP TABLE centres AS
SELECT c, array_agg(CASE WHEN random() < 0.2 THEN 255 ELSE floor(random() * 201)::int END
                    ORDER BY j) AS steps
FROM generate_series(0, 99) c, generate_series(1, 128) j GROUP BY c;
CREATE FUNCTION pg_temp.moved(steps int[], amount int, refire float8) RETURNS spikes LANGUAGE sql AS $$
  SELECT ('[' || string_agg(CASE WHEN s < 255
                                 THEN least(254, greatest(0, s + floor(random() * (2 * amount + 1))::int - amount))::text
                                 WHEN random() < refire THEN floor(random() * 255)::int::text
                                 ELSE '_' END, ',' ORDER BY i) || ']')::spikes
  FROM unnest(steps) WITH ORDINALITY AS u(s, i) $$;
CREATE TABLE alloc_cols (id bigint PRIMARY KEY, pattern spikes(128));
INSERT INTO alloc_cols
SELECT i, pg_temp.moved(steps, 20, 0.1) FROM generate_series(0, 9999) i JOIN centres ON c = i % 100;
CREATE INDEX alloc_cols_idx ON alloc_cols USING snn_hnsw (pattern);
-- 300 facts: stored columns with every spike moved by up to 5 steps
CREATE TEMP TABLE facts AS
SELECT f, pg_temp.moved(steps, 5, 0) AS pattern
FROM generate_series(1, 300) f
JOIN LATERAL (SELECT ('{' || trim(both '[]' from replace(pattern::text, '_', '255')) || '}')::int[] AS steps
              FROM alloc_cols WHERE id = (f * 7919) % 10000) s ON true;
-- the exact nearest distance of each fact, by a sequential scan
SET enable_indexscan = off;
SET enable_bitmapscan = off;
CREATE TEMP TABLE exact AS
SELECT f, (SELECT c.pattern <-> facts.pattern FROM alloc_cols c ORDER BY 1 LIMIT 1) AS d FROM facts;
RESET enable_indexscan;
RESET enable_bitmapscan;
SHOW snn.allocate_ef;
SHOW snn.ef_search;
-- the index is used
EXPLAIN (COSTS OFF) SELECT id FROM alloc_cols ORDER BY pattern <-> '[1,2,3]' LIMIT 16;
CREATE TEMP TABLE won AS
SELECT f, a.key, a.distance, a.created
FROM facts, LATERAL snn_allocate('alloc_cols', facts.pattern, 1e6) a;
-- every fact finds a column; the winner is the exact nearest for >= 98 %
SELECT count(*) AS facts, count(*) FILTER (WHERE created) AS created,
       count(*) FILTER (WHERE won.distance = exact.d)::float8 / count(*) >= 0.98 AS accurate
FROM won JOIN exact USING (f);
-- the call set snn.ef_search for its own search only
SHOW snn.ef_search;
-- the winner-take-all: the candidates as snn_allocate's search returns them
-- (the same query at its candidate list size, 100); the winner is always the
-- nearest of them, and so is snn_wta_winner's over them listed farthest
-- first, even at vigilances far beyond every distance
SET snn.ef_search = 100;
CREATE TEMP TABLE cands AS
SELECT f, array_agg(d ORDER BY d DESC) AS d
FROM facts, LATERAL (SELECT c.pattern <-> facts.pattern AS d
                     FROM alloc_cols c ORDER BY c.pattern <-> facts.pattern LIMIT 16) s
GROUP BY f;
RESET snn.ef_search;
SELECT count(*) AS facts,
       count(*) FILTER (WHERE won.distance = cands.d[16]) AS winner_is_nearest_candidate,
       count(*) FILTER (WHERE exact.d = cands.d[16]) = count(*) FILTER (WHERE won.distance = exact.d)
         AS accurate_when_among_candidates
FROM won JOIN cands USING (f) JOIN exact USING (f);
SELECT count(*) FILTER (WHERE d[snn_wta_winner(d, v)] = d[16]) AS nearest_wins,
       count(*) AS competitions
FROM cands, (VALUES (1e6::float8), (1e12), (1e300)) vig(v);
-- snn.allocate_ef = 0 follows snn.ef_search (here 1; the search asks for at
-- least k), and the caller's setting is left as it was
SET snn.allocate_ef = 0;
SET snn.ef_search = 1;
SELECT count(*) FILTER (WHERE a.key IS NOT NULL AND NOT a.created) AS found
FROM facts, LATERAL snn_allocate('alloc_cols', facts.pattern, 1e6, 4) a WHERE f <= 20;
SHOW snn.ef_search;
RESET snn.ef_search;
RESET snn.allocate_ef;
-- an error during the search leaves the caller's snn.ef_search too
CREATE TABLE alloc_nullkey (id bigint, pattern spikes(2));
INSERT INTO alloc_nullkey VALUES (NULL, '[1,1]');
SELECT * FROM snn_allocate('alloc_nullkey', '[1,1]', 5);
SHOW snn.ef_search;
DROP TABLE alloc_nullkey;
SET snn.allocate_ef = -1;
SET snn.allocate_ef = 1001;
DROP TABLE alloc_cols;
