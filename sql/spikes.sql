-- The spikes type: text round trips, typmods, casts, accessors, ordering,
-- hashing, and distances with known values.

-- text input and canonical output
SELECT '[0,3,_,12]'::spikes;
SELECT '  [ 0 ,	3 , _ ,12 ]  '::spikes;
SELECT '[254,0,_]'::spikes, '[_]'::spikes, '[-0,+3,007]'::spikes;
SELECT '[0,3,_,12]'::spikes::text::spikes = '[0,3,_,12]'::spikes AS round_trip;

-- typmod: spikes(n) enforced on input, casts and columns
SELECT '[1,2,3]'::spikes(3);
SELECT '[1,2,3]'::spikes(4);
SELECT '[1,2,3]'::spikes::spikes(2);
SELECT ARRAY[1,2]::spikes(3);
SELECT '[1]'::spikes(0);
SELECT '[1]'::spikes(65536);
SELECT '[1]'::spikes(1, 2);
SELECT format_type('spikes'::regtype, 128), format_type('spikes'::regtype, -1);
CREATE TEMP TABLE typed (p spikes(3));
INSERT INTO typed VALUES ('[1,2,3]'), ('[_,_,_]');
INSERT INTO typed VALUES ('[1,2]');
INSERT INTO typed VALUES (ARRAY[4,NULL,6]);
INSERT INTO typed VALUES (ARRAY[4,5]);
SELECT p FROM typed ORDER BY p;
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'typed'::regclass AND attname = 'p';
DROP TABLE typed;

-- the largest pattern
SELECT spikes_neurons(array_fill(7, ARRAY[65535])::spikes) AS dims_max;
SELECT array_fill(7, ARRAY[65536])::spikes;
SELECT length(array_fill(NULL::int, ARRAY[65535])::spikes::text) AS text_len_max;

-- arrays of spikes
SELECT '{"[1,2]","[_,3]"}'::spikes[];
SELECT ('{"[1,2]","[_,3]"}'::spikes[])[2];
SELECT '{"[1,2]","[1,2,3]"}'::spikes(2)[];

-- casts to and from int[]
SELECT ARRAY[0,3,NULL,12]::spikes;
SELECT '[0,3,_,12]'::spikes::int[];
SELECT '{1,NULL,254}'::int[]::spikes;
SELECT ARRAY[255]::spikes;
SELECT ARRAY[1,-1]::spikes;
SELECT ARRAY[[1,2],[3,4]]::spikes;
SELECT '{}'::int[]::spikes;
SELECT ARRAY[NULL]::int[]::spikes;
SELECT '[5:7]={1,2,3}'::int[]::spikes AS lower_bound_ignored;
-- int[] and back is the identity, NULLs included
SELECT ARRAY[0,NULL,254,NULL]::spikes::int[] = ARRAY[0,NULL,254,NULL] IS NOT FALSE AS same,
       ARRAY[0,NULL,254,NULL]::spikes::int[];

-- accessors (neurons numbered from 0)
SELECT spikes_neurons('[0,3,_,12]'), spikes_fired('[0,3,_,12]'),
       spikes_first_neuron('[0,3,_,12]'), spikes_earliest('[0,3,_,12]');
SELECT spikes_first_neuron('[9,4,_,4]') AS lowest_on_ties, spikes_earliest('[9,4,_,4]');
SELECT spikes_fired('[_,_]'), spikes_first_neuron('[_,_]') IS NULL AS none_first,
       spikes_earliest('[_,_]') IS NULL AS none_earliest;
SELECT spikes_first_neuron('[_,_,254]'), spikes_earliest('[_,_,254]');

-- equality and ordering: neuron by neuron, silent last, then shorter first
SELECT '[1,2]'::spikes = '[1,2]', '[1,2]'::spikes = '[1,2,3]', '[1,2]'::spikes <> '[1,_]';
SELECT '[1,2]'::spikes < '[1,3]', '[1,254]'::spikes < '[1,_]', '[1,2]'::spikes < '[1,2,0]',
       '[2]'::spikes > '[1,_,_]', '[1,2]'::spikes <= '[1,2]', '[1,2]'::spikes >= '[1,2]';
SELECT spikes_cmp('[1,2]', '[1,3]'), spikes_cmp('[1,3]', '[1,2]'), spikes_cmp('[1]', '[1]');
SELECT p FROM (VALUES ('[3]'::spikes), ('[_,1]'), ('[1,_]'), ('[1]'), ('[1,0]'), ('[_]'), ('[0,254]')) v(p)
ORDER BY p;

-- GROUP BY, DISTINCT, UNIQUE, hash and merge joins, hash partitioning
CREATE TEMP TABLE pats (id int, p spikes);
INSERT INTO pats SELECT i, ARRAY[i % 3, CASE WHEN i % 2 = 0 THEN NULL ELSE 1 END]::spikes
FROM generate_series(1, 12) i;
SELECT p, count(*) FROM pats GROUP BY p ORDER BY p;
SET enable_sort = off;
SELECT p, count(*) FROM pats GROUP BY p ORDER BY count(*), p::text;
RESET enable_sort;
SELECT count(DISTINCT p) FROM pats;
-- ANALYZE gathers statistics with the btree order
ANALYZE pats;
SELECT n_distinct, array_length(most_common_vals::text::spikes[], 1) AS mcv
FROM pg_stats WHERE tablename = 'pats' AND attname = 'p';
SELECT count(*) FROM pats a JOIN pats b ON a.p = b.p;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM pats a JOIN pats b ON a.p = b.p;
SELECT count(*) FROM pats a JOIN pats b ON a.p = b.p;
SET enable_hashjoin = off;
SET enable_mergejoin = on;
EXPLAIN (COSTS OFF) SELECT count(*) FROM pats a JOIN pats b ON a.p = b.p;
SELECT count(*) FROM pats a JOIN pats b ON a.p = b.p;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_nestloop;
-- a unique index refuses the duplicates, and accepts the distinct patterns
CREATE UNIQUE INDEX ON pats (p);
DELETE FROM pats WHERE id > 6;
CREATE UNIQUE INDEX ON pats (p);
INSERT INTO pats VALUES (99, '[0,_]');
CREATE TEMP TABLE uniq (p spikes UNIQUE);
INSERT INTO uniq VALUES ('[1,2]'), ('[1,_]'), ('[1,2,3]');
INSERT INTO uniq VALUES ('[1, 2]');
CREATE INDEX ON uniq USING hash (p);
SET enable_seqscan = off;
SELECT p FROM uniq WHERE p = '[1,_]';
RESET enable_seqscan;
SELECT spikes_hash('[1,2]') = spikes_hash(' [ 1 , 2 ] ') AS hash_equal,
       spikes_hash_extended('[1,2]', 0) = spikes_hash_extended('[1,2]', 0) AS ext_equal,
       spikes_hash_extended('[1,2]', 0) <> spikes_hash_extended('[1,2]', 1) AS seed_matters;
CREATE TEMP TABLE parted (p spikes) PARTITION BY HASH (p);
CREATE TEMP TABLE parted0 PARTITION OF parted FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TEMP TABLE parted1 PARTITION OF parted FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO parted SELECT DISTINCT p FROM pats;
SELECT (SELECT count(*) FROM parted0) + (SELECT count(*) FROM parted1) AS total,
       (SELECT count(*) FROM parted0) > 0 AND (SELECT count(*) FROM parted1) > 0 AS both_used;
-- each row sits in the partition its hash names
SELECT count(*) AS misplaced FROM parted
WHERE satisfies_hash_partition('parted'::regclass, 2, CASE WHEN tableoid = 'parted0'::regclass THEN 0 ELSE 1 END, p) IS NOT TRUE;
DROP TABLE pats, uniq, parted;

-- distances: silent counts as step 255
SELECT spikes_l2_squared_distance('[0,3,_]', '[1,3,12]') AS l2sq,
       spikes_l2_distance('[0,3,_]', '[1,3,12]') AS l2,
       spikes_l1_distance('[0,3,_]', '[1,3,12]') AS l1;
SELECT '[0,0]'::spikes <-> '[3,4]' AS l2_5, '[0,0]'::spikes <+> '[3,4]' AS l1_7;
SELECT '[3,4]'::spikes <-> '[0,0]' AS commuted, '[_,_]'::spikes <-> '[_,_]' AS same;
SELECT spikes_l2_squared_distance(array_fill(0, ARRAY[65535])::spikes, array_fill(NULL::int, ARRAY[65535])::spikes)
       = 65535::float8 * 255 * 255 AS exact_at_max,
       spikes_l1_distance(array_fill(0, ARRAY[65535])::spikes, array_fill(NULL::int, ARRAY[65535])::spikes) AS l1_at_max;
SELECT '[1,2]'::spikes <-> '[1,2,3]';
SELECT '[1,2]'::spikes <+> '[1]';
SELECT spikes_l2_squared_distance('[1]', '[1,2]');
-- operators are registered with their commutators
SELECT oprname, oprcom::regoperator FROM pg_operator
WHERE oprleft = 'spikes'::regtype AND oprname IN ('<->', '<+>') ORDER BY 1;
-- distances agree with a plain SQL computation over int[]
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE spikes_l2_squared_distance(a, b) <> l2sq OR spikes_l1_distance(a, b) <> l1
                         OR abs(spikes_l2_distance(a, b) - sqrt(l2sq)) > 1e-9) AS mismatches
FROM (
  SELECT a, b,
         (SELECT sum((coalesce(x, 255) - coalesce(y, 255))^2) FROM unnest(a::int[], b::int[]) u(x, y)) AS l2sq,
         (SELECT sum(abs(coalesce(x, 255) - coalesce(y, 255))) FROM unnest(a::int[], b::int[]) u(x, y)) AS l1
  FROM (SELECT (SELECT array_agg(CASE WHEN random() < 0.2 THEN NULL ELSE (random() * 254)::int END) FROM generate_series(1, 40 + g % 7 + 0 * g))::spikes AS a,
               (SELECT array_agg(CASE WHEN random() < 0.2 THEN NULL ELSE (random() * 254)::int END) FROM generate_series(1, 40 + g % 7 + 0 * g))::spikes AS b
        FROM generate_series(1, 200) g) pairs) t;

-- smallint[] and bigint[] cast like int[], and all three are assignment casts
-- (what psycopg sends for a list of integers needs no cast in INSERT)
SELECT ARRAY[0, NULL, 254]::smallint[]::spikes AS from_smallint,
       ARRAY[0, NULL, 254]::bigint[]::spikes AS from_bigint;
SELECT ARRAY[0, 3000000000]::bigint[]::spikes;
SELECT ARRAY[-1]::smallint[]::spikes;
CREATE TEMP TABLE assign_t (p spikes(3));
INSERT INTO assign_t VALUES (ARRAY[1, 2, NULL]::smallint[]), (ARRAY[3, 4, 5]::bigint[]), (ARRAY[6, NULL, 7]);
SELECT p FROM assign_t ORDER BY p;
INSERT INTO assign_t VALUES (ARRAY[1, 2]::smallint[]);
DROP TABLE assign_t;
-- int[] = int[] stays unambiguous (the casts are not implicit)
SELECT ARRAY[1, 2] = ARRAY[1, 2] AS int_eq, ARRAY[1, 2]::smallint[] = ARRAY[1, 2]::smallint[] AS int2_eq;

-- the binary form: version byte 1, uint16 neuron count, one byte a neuron
SELECT spikes_send('[0,3,_,12]');
