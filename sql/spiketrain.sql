-- spiketrain: text I/O, normalisation, every input error with its SQLSTATE,
-- accessors, constructor, casts with spikes, equality, order and hashing,
-- binary send/receive.
\pset null '(null)'

-- canonical output; blanks, order and repeats do not matter on input
SELECT '{neurons:4,steps:20,events:[1@0,3@0,0@7]}'::spiketrain;
SELECT ' { neurons : 4 , steps : 20 , events : [ 0@7 , 3@0 , 1@0 , 0@7 ] } '::spiketrain;
SELECT '{neurons:1,steps:1,events:[]}'::spiketrain;
SELECT '{neurons:1000000,steps:10000000,events:[999999@9999999,0@0]}'::spiketrain;
SELECT E'\t{neurons:\n007,steps:\r\n010,events:[06@09]}\n'::spiketrain;

-- round trip: output parses back to the same value
SELECT s::text::spiketrain = s AS roundtrip, s::text = s::text::spiketrain::text AS fixed_point
FROM (SELECT '{neurons:3,steps:5,events:[2@4,1@4,0@4,2@0]}'::spiketrain AS s) x;

-- input errors: SQLSTATE and message, the bad token quoted
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
SELECT s AS input, pg_temp.err(format('SELECT %L::spiketrain', s)) AS error
FROM (VALUES (''), ('{neurons:4,steps:4,events:[0@1;2@3]}'), ('{neurons:4,steps:4,events:[(0,1)]}'),
	('{neurons:4,steps:4,events:[0@1,]}'), ('{neurons:4,steps:4,events:[0@1]} trailing'),
	('{steps:4,neurons:4,events:[]}'), ('{neurons:-4,steps:4,events:[]}'),
	('{neurons:4e2,steps:4,events:[]}'), ('{neurons:4,steps:4}'), ('{neurons:4,steps:4,events:[0@]}'),
	('{neurons:4,steps:4,events:[0@1@2]}'), ('{neurons:4,steps:4,events:[0@1]'),
	('{neurons:0,steps:4,events:[]}'), ('{neurons:4,steps:0,events:[]}'),
	('{neurons:4,steps:4,events:[4@0]}'), ('{neurons:4,steps:4,events:[0@4]}'),
	('{neurons:4,steps:4,events:[1@99999999999999999999999]}'),
	('{neurons:1000001,steps:4,events:[]}'), ('{neurons:4,steps:10000001,events:[]}'),
	('{neurons:99999999999999999999999999,steps:4,events:[]}')) v(s);
-- accessors
SELECT spiketrain_neurons(s), spiketrain_events(s), spiketrain_duration(s),
	   spiketrain_neuron_events(s, 0) AS n0, spiketrain_neuron_events(s, 2) AS n2,
	   spiketrain_neuron_events(s, 3) AS n3
FROM (SELECT '{neurons:4,steps:20,events:[0@7,2@0,0@0,0@19,2@5]}'::spiketrain AS s) x;
SELECT * FROM spiketrain_unnest('{neurons:4,steps:20,events:[0@7,2@0,0@0,0@19,2@5]}');
SELECT count(*) FROM spiketrain_unnest('{neurons:4,steps:20,events:[]}');
SELECT spiketrain_counts('{neurons:4,steps:20,events:[0@7,2@0,0@0,0@19,2@5]}');
-- windows: shifted to step 0, may reach past the end
SELECT spiketrain_window(t, 5, 10) AS mid, spiketrain_window(t, 15, 100) AS past_end,
	   spiketrain_window(t, 100, 3) AS empty, spiketrain_window(t, 0, 20) = t AS whole
FROM (SELECT '{neurons:4,steps:20,events:[0@7,2@0,0@0,0@19,2@5]}'::spiketrain AS t) x;
SELECT spiketrain_window('{neurons:2,steps:300,events:[0@7,1@255]}', 0, 255)::spikes AS first_255_steps;
SELECT q AS call, pg_temp.err(q) AS error
FROM (VALUES ($$SELECT spiketrain_window('{neurons:2,steps:3,events:[]}', -1, 5)$$),
	($$SELECT spiketrain_window('{neurons:2,steps:3,events:[]}', 0, 0)$$),
	($$SELECT spiketrain_window('{neurons:2,steps:3,events:[]}', 0, 10000001)$$)) v(q);
SELECT pg_temp.err($$SELECT spiketrain_neuron_events('{neurons:4,steps:20,events:[]}', 4)$$);
SELECT pg_temp.err($$SELECT spiketrain_neuron_events('{neurons:4,steps:20,events:[]}', -1)$$);

-- constructor from arrays: sorted, de-duplicated; every error
SELECT spiketrain(4, 20, ARRAY[7, 0, 0, 7], ARRAY[0, 3, 1, 0]);
SELECT spiketrain(4, 20, '{}', '{}');
SELECT q AS call, pg_temp.err(q) AS error
FROM (VALUES ($$SELECT spiketrain(0, 20, '{}', '{}')$$), ($$SELECT spiketrain(4, -1, '{}', '{}')$$),
	($$SELECT spiketrain(1000001, 20, '{}', '{}')$$), ($$SELECT spiketrain(4, 10000001, '{}', '{}')$$),
	($$SELECT spiketrain(4, 20, ARRAY[1, 2], ARRAY[0])$$), ($$SELECT spiketrain(4, 20, ARRAY[1, NULL], ARRAY[0, 1])$$),
	($$SELECT spiketrain(4, 20, ARRAY[[1, 2]], ARRAY[[0, 1]])$$), ($$SELECT spiketrain(4, 20, ARRAY[20], ARRAY[0])$$),
	($$SELECT spiketrain(4, 20, ARRAY[-1], ARRAY[0])$$), ($$SELECT spiketrain(4, 20, ARRAY[0], ARRAY[4])$$)) v(q);
SELECT spiketrain(4, 20, NULL, ARRAY[4]);

-- the constructor, unnest and text agree on random trains
SELECT bool_and(spiketrain(n, s, es, en) = spiketrain(n, s, es, en)::text::spiketrain) AS text_agrees,
	   bool_and((SELECT count(*) FROM spiketrain_unnest(spiketrain(n, s, es, en))) =
				(SELECT count(DISTINCT (a, b)) FROM unnest(es, en) AS u(a, b))) AS count_agrees
FROM (SELECT 50 AS n, 100 AS s,
			 array_agg((g * 7919 + i * 104729) % 100) AS es,
			 array_agg((g * 31 + i * 17) % 50) AS en
	  FROM generate_series(1, 20) g, generate_series(1, 40) i GROUP BY g) x;

-- casts: spiketrain -> spikes keeps each neuron's first spike
SELECT '{neurons:4,steps:300,events:[0@7,2@0,0@3,2@254]}'::spiketrain::spikes;
SELECT pg_temp.err($$SELECT '{neurons:2,steps:300,events:[0@7,1@255]}'::spiketrain::spikes$$);
SELECT pg_temp.err($$SELECT '{neurons:65536,steps:1,events:[]}'::spiketrain::spikes$$);
SELECT spikes_neurons(t::spikes), spikes_fired(t::spikes)
FROM (SELECT '{neurons:65535,steps:1,events:[0@0]}'::spiketrain AS t) x;
-- spikes -> spiketrain spans the 255 steps of a pattern, and back again
SELECT '[0,3,_,12,3]'::spikes::spiketrain;
SELECT '[0,3,_,12,3]'::spikes::spiketrain::spikes;
SELECT '[_,_]'::spikes::spiketrain;

-- equality and hashing
SELECT '{neurons:2,steps:3,events:[1@2,0@0]}'::spiketrain = '{neurons:2,steps:3,events:[0@0,1@2]}' AS eq,
	   '{neurons:2,steps:3,events:[0@0]}'::spiketrain = '{neurons:2,steps:4,events:[0@0]}' AS eq_other_steps,
	   '{neurons:2,steps:3,events:[0@0]}'::spiketrain <> '{neurons:3,steps:3,events:[0@0]}' AS ne_other_neurons,
	   '{neurons:2,steps:3,events:[0@0]}'::spiketrain <> '{neurons:2,steps:3,events:[1@0]}' AS ne_events;
SELECT spiketrain_hash('{neurons:2,steps:3,events:[1@2,0@0]}') = spiketrain_hash('{neurons:2,steps:3,events:[0@0,1@2,1@2]}') AS hash_eq,
	   spiketrain_hash_extended('{neurons:2,steps:3,events:[1@2]}', 1) <> spiketrain_hash_extended('{neurons:2,steps:3,events:[1@2]}', 2) AS seeded;
CREATE TEMP TABLE trains (id int, t spiketrain);
INSERT INTO trains SELECT g, spiketrain(3, 10, ARRAY[g % 10], ARRAY[g % 3]) FROM generate_series(1, 60) g;
SELECT count(DISTINCT t) AS distinct_trains FROM trains;
SELECT t FROM (SELECT DISTINCT t FROM trains) x ORDER BY t LIMIT 4;
SELECT '{neurons:2,steps:3,events:[0@0]}'::spiketrain < '{neurons:2,steps:3,events:[0@0,1@0]}' AS prefix_first,
	   '{neurons:2,steps:3,events:[1@0]}'::spiketrain > '{neurons:2,steps:3,events:[0@0,1@0]}' AS by_events,
	   '{neurons:2,steps:9,events:[]}'::spiketrain < '{neurons:3,steps:1,events:[]}' AS by_neurons;
CREATE UNIQUE INDEX ON trains (id, t);
SET enable_sort = off;
SELECT t, count(*) FROM trains GROUP BY t ORDER BY min(id) LIMIT 3;
RESET enable_sort;
CREATE INDEX ON trains USING hash (t);
SET enable_seqscan = off;
SELECT id FROM trains WHERE t = '{neurons:3,steps:10,events:[1@7]}' ORDER BY id;
RESET enable_seqscan;

-- binary form: version 1, neurons, steps, count, then (step, neuron) pairs
SELECT spiketrain_send('{neurons:4,steps:20,events:[1@0,0@7]}');
-- send and receive round-trip through COPY BINARY
CREATE TEMP TABLE trains_copy (id int, t spiketrain);
-- (the file lives in this cluster's data directory, private to the run)
DO $$
DECLARE
	f text := current_setting('data_directory') || '/snn_spiketrain_regress.bin';
BEGIN
	EXECUTE format($q$COPY (SELECT id, t FROM trains UNION ALL
						 SELECT 0, '{neurons:1000000,steps:10000000,events:[999999@9999999,0@0]}')
					  TO %L WITH (FORMAT binary)$q$, f);
	EXECUTE format('COPY trains_copy FROM %L WITH (FORMAT binary)', f);
END $$;
SELECT count(*) AS copied, bool_and(c.t = o.t) AS all_equal
FROM trains_copy c LEFT JOIN (SELECT id, t FROM trains UNION ALL SELECT 0, '{neurons:1000000,steps:10000000,events:[999999@9999999,0@0]}') o USING (id);

-- large trains are toasted; the shape accessors read only their header
CREATE TEMP TABLE big (kind text, t spiketrain);
INSERT INTO big SELECT 'compressed', snn_encode_rate(array_fill(0.5::float8, ARRAY[100]), 0, 1, 1000);
ALTER TABLE big ALTER COLUMN t SET STORAGE external;
INSERT INTO big SELECT 'external', snn_encode_rate(array_fill(0.25::float8, ARRAY[100]), 0, 1, 1000);
SELECT kind, pg_column_size(t) < 8 * spiketrain_events(t) AS compressed, spiketrain_neurons(t), spiketrain_duration(t),
	   spiketrain_events(t), (spiketrain_neuron_events(t, 99))[1:3] AS first_steps,
	   t = t::text::spiketrain AS roundtrip
FROM big ORDER BY kind;
