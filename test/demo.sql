-- The snn demo: pattern memory (run by test/demo.sh in a throwaway cluster).
--
-- 200 prototype facts, each a vector of 64 features in [0, 1], are observed
-- 100 times with noise.  Every observation is encoded as a time-to-first-
-- spike pattern (a larger feature fires earlier), stored in a spikes(64)
-- column and indexed with snn_hnsw.  A new noisy observation then finds its
-- nearest stored patterns, and observations are allocated to cortical
-- columns by lateral inhibition.
\set ON_ERROR_STOP 1
\timing off
CREATE EXTENSION snn;

SELECT setseed(0.42);
CREATE TABLE prototypes AS
SELECT c AS proto, array_agg(random() ORDER BY i) AS features
FROM generate_series(1, 200) c, generate_series(1, 64) i
GROUP BY c;

-- one observation: a prototype with uniform noise of +-0.05 on every feature
CREATE FUNCTION observe(features float8[]) RETURNS spikes
LANGUAGE sql VOLATILE AS $$
  SELECT snn_encode_ttfs(ARRAY(SELECT least(1, greatest(0, x + (random() - 0.5) * 0.1))
                               FROM unnest(features) x), 0, 1, 255)
$$;

CREATE TABLE facts (id bigserial PRIMARY KEY, proto int, pattern spikes(64));
INSERT INTO facts (proto, pattern)
SELECT proto, observe(features) FROM prototypes, generate_series(1, 100);

CREATE INDEX facts_pattern ON facts USING snn_hnsw (pattern spikes_l2_ops);
SELECT count(*) AS facts,
       pg_size_pretty(pg_relation_size('facts_pattern')) AS index_size
FROM facts;

-- a new observation of prototype 7, and its nearest stored facts
SELECT observe(features) AS query FROM prototypes WHERE proto = 7 \gset
SELECT spikes_fired(:'query') AS neurons_fired, spikes_earliest(:'query') AS earliest_step;
EXPLAIN (COSTS OFF)
SELECT id FROM facts ORDER BY pattern <-> :'query' LIMIT 5;
SELECT id, proto, round((pattern <-> :'query')::numeric, 1) AS l2
FROM facts ORDER BY pattern <-> :'query' LIMIT 5;

-- recall of the index against an exact scan, over 50 fresh queries
CREATE TABLE queries AS
SELECT proto, observe(features) AS q FROM prototypes WHERE proto <= 50;
SET enable_indexscan = off;
CREATE TABLE exact AS
SELECT qs.proto AS qproto, n.id FROM queries qs,
  LATERAL (SELECT id FROM facts ORDER BY pattern <-> qs.q LIMIT 10) n;
RESET enable_indexscan;
CREATE TABLE approx AS
SELECT qs.proto AS qproto, n.id FROM queries qs,
  LATERAL (SELECT id FROM facts ORDER BY pattern <-> qs.q LIMIT 10) n;
SELECT round(count(*)::numeric / (SELECT count(*) FROM exact), 3) AS recall_at_10
FROM exact JOIN approx USING (qproto, id);

-- allocation: observations of 5 prototypes compete for cortical columns;
-- a winner-take-all layer of LIF neurons picks the column, or a new one is
-- created when nothing is within the vigilance distance
CREATE TABLE cortical_columns (id bigserial PRIMARY KEY, pattern spikes(64));
CREATE INDEX ON cortical_columns USING snn_hnsw (pattern);
CREATE TABLE allocations AS
SELECT f.id AS fact, f.proto, a.key AS col, a.created
FROM (SELECT * FROM facts WHERE proto <= 5 ORDER BY id) f,
     LATERAL snn_allocate('cortical_columns', f.pattern, 300) a;
SELECT count(*) AS facts, count(*) FILTER (WHERE created) AS columns_created,
       count(DISTINCT col) AS columns_used
FROM allocations;
-- every column holds the observations of exactly one prototype
SELECT col, min(proto) AS proto, count(*) AS facts, count(DISTINCT proto) AS prototypes
FROM allocations GROUP BY col ORDER BY col;
