-- scale-out helpers: snn_wta_winner, and snn_shard_knn / snn_shard_allocate
-- over a partitioned table (here with local partitions; postgres_fdw shards
-- are in test/t/100_shard_fdw.pl), and their errors.
SET client_min_messages = warning;

-- the winner-take-all of snn_allocate over given distances
SELECT snn_wta_winner('{3, 1, 2}', 5);            -- the nearest: position 2
SELECT snn_wta_winner('{3, 1, 1}', 5);            -- a tie: the first of the nearest
SELECT snn_wta_winner('{7, 9}', 5);               -- none within vigilance: NULL
SELECT snn_wta_winner('{}', 5);                   -- no candidate: NULL
SELECT snn_wta_winner('{0}', 0);                  -- vigilance 0 takes identical patterns
SELECT snn_wta_winner('{1, Infinity}', 5);
SELECT snn_wta_winner('{1, NULL}', 5);
SELECT snn_wta_winner('{-1}', 5);
SELECT snn_wta_winner('{NaN}', 5);
SELECT snn_wta_winner('{{1}}', 5);
SELECT snn_wta_winner('{1}', -1);
SELECT snn_wta_winner('{1}', 'NaN');
SELECT snn_wta_winner(array_fill(1::float8, ARRAY[1001]), 5);

-- a hash-partitioned table of three local partitions beside a plain copy
CREATE TABLE flat (id bigserial PRIMARY KEY, pattern spikes(8));
INSERT INTO flat (pattern)
SELECT ARRAY(SELECT (i * (j + 1) * 37 + j * j) % 255 FROM generate_series(0, 7) j)::spikes
FROM generate_series(1, 600) i;
INSERT INTO flat (pattern) VALUES (NULL);
CREATE TABLE parted (id bigserial, pattern spikes(8)) PARTITION BY HASH (id);
CREATE TABLE parted_0 PARTITION OF parted FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES WITH (MODULUS 3, REMAINDER 2);
CREATE INDEX ON parted_1 USING snn_hnsw (pattern);
INSERT INTO parted SELECT * FROM flat;
SELECT setval('parted_id_seq', 601), setval('flat_id_seq', 601);

-- the merged nearest rows equal an exact search of the plain table
SELECT count(*) AS same_as_exact FROM (
	SELECT key, distance FROM snn_shard_knn('parted', '[10,20,30,40,50,60,70,80]', 7)
	INTERSECT
	SELECT id, pattern <-> '[10,20,30,40,50,60,70,80]' FROM flat
	ORDER BY 2 LIMIT 7) s;
SELECT key, round(distance::numeric, 3) AS distance, shard = (SELECT tableoid::regclass FROM parted WHERE id = key) AS right_shard
FROM snn_shard_knn('parted', '[10,20,30,40,50,60,70,80]', 3);
SELECT count(*) FROM snn_shard_knn('parted', '[10,20,30,40,50,60,70,80]', 1000);   -- every non-NULL row
SELECT position('LIMIT 5' IN snn_shard_knn_query('parted', 5)) > 0 AS limit_in_each_branch,
       (length(snn_shard_knn_query('parted', 5)) - length(replace(snn_shard_knn_query('parted', 5), 'UNION ALL', ''))) / 9 AS unions;

-- allocation: the same answers as snn_allocate on the plain table
SELECT key, round(distance::numeric, 3) AS distance, created FROM snn_allocate('flat', '[10,20,30,40,50,60,70,81]', 50);
SELECT key, round(distance::numeric, 3) AS distance, created FROM snn_shard_allocate('parted', '[10,20,30,40,50,60,70,81]', 50);
SELECT key, distance, created FROM snn_allocate('flat', '[200,1,200,1,200,1,200,1]', 5);
SELECT key, distance, created, shard FROM snn_shard_allocate('parted', '[200,1,200,1,200,1,200,1]', 5);
SELECT key, distance, created FROM snn_shard_allocate('parted', '[200,1,200,1,200,1,200,2]', 5, 4, 'pattern', 'id');

-- an empty partitioned table: no candidate, a new row
CREATE TABLE empty_parted (id bigserial, pattern spikes(8)) PARTITION BY HASH (id);
SELECT count(*) FROM snn_shard_knn('empty_parted', '[1,2,3,4,5,6,7,8]');
CREATE TABLE empty_parted_0 PARTITION OF empty_parted FOR VALUES WITH (MODULUS 1, REMAINDER 0);
SELECT key, distance, created, shard FROM snn_shard_allocate('empty_parted', '[1,2,3,4,5,6,7,8]', 1);

-- errors (terse: the context of a failing statement names partition OIDs)
\set VERBOSITY terse
SELECT * FROM snn_shard_knn('flat', '[1,2,3,4,5,6,7,8]');
SELECT * FROM snn_shard_knn('parted', '[1,2,3,4,5,6,7,8]', 0);
SELECT * FROM snn_shard_knn('parted', '[1,2,3,4,5,6,7,8]', 1001);
SELECT * FROM snn_shard_knn('parted', '[1,2,3,4,5,6,7,8]', 5, 'nope');
SELECT * FROM snn_shard_knn('parted', '[1,2,3,4,5,6,7,8]', 5, 'pattern', 'nope');
SELECT * FROM snn_shard_knn('parted', '[1,2,3]', 5);
SELECT * FROM snn_shard_allocate('parted', '[1,2,3,4,5,6,7,8]', -1);
SELECT * FROM snn_shard_allocate('parted', '[1,2,3,4,5,6,7,8]', 'Infinity');
CREATE TABLE nokey (id bigint, pattern spikes(8)) PARTITION BY HASH (id);
CREATE TABLE nokey_0 PARTITION OF nokey FOR VALUES WITH (MODULUS 1, REMAINDER 0);
SELECT * FROM snn_shard_allocate('nokey', '[1,2,3,4,5,6,7,8]', 1);
SELECT * FROM snn_shard_attach('flat', '{s1}');
SELECT * FROM snn_shard_attach('parted', '{s1}');
CREATE TABLE listed (id bigint, pattern spikes(8)) PARTITION BY LIST (id);
SELECT * FROM snn_shard_attach('listed', '{s1}');
CREATE TABLE bare (id bigint, pattern spikes(8)) PARTITION BY HASH (id);
SELECT * FROM snn_shard_attach('bare', '{}');
SELECT * FROM snn_shard_attach('bare', '{s1,NULL}');
SELECT * FROM snn_shard_attach('bare', '{nosuchserver}');
SELECT count(*) AS partitions_left FROM pg_inherits WHERE inhparent = 'bare'::regclass;
SELECT snn_shard_create('s1', 'localhost', 0, 'postgres');
SELECT snn_shard_create('s1', NULL, 5432, 'postgres');
SELECT snn_shard_create('s1', 'localhost', 5432, 'postgres');   -- postgres_fdw is not installed here
\set VERBOSITY default

-- who may run what: setup helpers are not for PUBLIC
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_execute
FROM pg_proc p WHERE p.proname LIKE 'snn\_shard\_%' OR p.proname = 'snn_wta_winner' ORDER BY 1;
SELECT p.proname, p.provolatile, p.proparallel, p.proconfig
FROM pg_proc p WHERE p.proname LIKE 'snn\_shard\_%' OR p.proname = 'snn_wta_winner' ORDER BY 1;
SELECT p.proname FROM pg_proc p
WHERE (p.proname LIKE 'snn\_shard\_%' OR p.proname = 'snn_wta_winner') AND obj_description(p.oid, 'pg_proc') IS NULL;
