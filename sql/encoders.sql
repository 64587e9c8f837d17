-- encoders and decoders: exact outputs on hand-computed cases, round trips,
-- determinism, and every argument error with its SQLSTATE.
\pset null '(null)'

-- TTFS: (hi - v) / (hi - lo) * (steps - 1), rounded half up; <= lo silent
SELECT snn_encode_ttfs(ARRAY[-1, 0, 0.25, 0.5, 0.998, 1, 2]);
SELECT snn_encode_ttfs(ARRAY[-0.999, -0.5, 0, 0.5, 0.95], -1, 1, 11);
SELECT snn_encode_ttfs(ARRAY[0, 1e-9, 0.5], 0, 1, 1);
SELECT snn_decode_ttfs('[_,191,127,1,0]');
SELECT snn_decode_ttfs('[10,8,5,3,0]', -1, 1, 11);
-- decode(encode(x)) is within half a quantisation step for x in [lo, hi]
-- (up to double rounding)
SELECT max(abs(d[1] - x)) <= 10.0 / (2 * 99) * (1 + 1e-12) AS within_half_step
FROM (SELECT x, snn_decode_ttfs(snn_encode_ttfs(ARRAY[x], -3, 7, 100), -3, 7, 100) AS d
	  FROM (SELECT -3 + 10 * g / 1000.0 AS x FROM generate_series(0, 1000) g) a) b;
-- the pattern feeds the spikes distances
SELECT snn_encode_ttfs(ARRAY[1, 0.5]) <-> snn_encode_ttfs(ARRAY[0.5, 0.5]) AS l2;

-- rate: round(u max_rate steps) spikes at floor((2j + 1) steps / (2r))
SELECT snn_encode_rate(ARRAY[0, 0.5, 1, 0.25], 0, 1, 8);
SELECT snn_encode_rate(ARRAY[-5, 1, 99], 0, 1, 10, 0.5);
SELECT snn_decode_rate(snn_encode_rate(ARRAY[0, 0.5, 1, 0.25], 0, 1, 8), 0, 1);
SELECT snn_decode_rate(snn_encode_rate(ARRAY[0.33, 0.7], 0, 1, 1000, 0.2), 0, 1, 0.2);

-- Poisson: pinned output, same seed same spikes, rates as asked
SELECT snn_encode_poisson(ARRAY[0, 0.5, 1, 0.25], 0, 1, 16, 0.5, 42);
SELECT snn_encode_poisson(ARRAY[0.2, 0.9], 0, 1, 500, 0.8, 7) = snn_encode_poisson(ARRAY[0.2, 0.9], 0, 1, 500, 0.8, 7) AS same_seed,
	   snn_encode_poisson(ARRAY[0.2, 0.9], 0, 1, 500, 0.8, 7) <> snn_encode_poisson(ARRAY[0.2, 0.9], 0, 1, 500, 0.8, 8) AS other_seed;
SELECT spiketrain_events(t) BETWEEN 30000 - 5 * 145 AND 30000 + 5 * 145 AS total_in_5_sd
FROM (SELECT snn_encode_poisson(array_fill(0.6::float8, ARRAY[100]), 0, 1, 1000, 0.5, 2024) AS t) x;
SELECT snn_encode_poisson(ARRAY[1, 0], 0, 1, 5, 1, -9);

-- population: Gaussian fields at 0, .25, .5, .75, 1, each TTFS-coded
SELECT snn_encode_population(ARRAY[0.3], 0, 1, 5);
SELECT snn_encode_population(ARRAY[0.5, 1], 0, 1, 3);
SELECT snn_encode_population(ARRAY[0.5], 0, 1, 3, 11, 0.5, 0.5);
SELECT round(d[1]::numeric, 3) AS v1, round(d[2]::numeric, 3) AS v2, d[3] AS silent
FROM (SELECT snn_decode_population(snn_encode_population(ARRAY[0.1, 0.9, 50], 0, 1, 6), 0, 1, 6) AS d) x;
SELECT max(abs(d[1] - x)) < 0.005 * 0.25 AS within_half_percent_of_spacing
FROM (SELECT x, snn_decode_population(snn_encode_population(ARRAY[x], 0, 1, 5), 0, 1, 5) AS d
	  FROM (SELECT g / 1000.0 AS x FROM generate_series(0, 1000) g) a) b;

-- delta: UP (neuron 0) / DOWN (neuron 1) when the series moves a threshold
SELECT snn_encode_delta(ARRAY[0, 0.1, 0.3, 0.35, 0.1, -0.5, -0.5], 0.2);
SELECT snn_decode_delta(snn_encode_delta(ARRAY[0, 0.1, 0.3, 0.35, 0.1, -0.5, -0.5], 0.2), 0, 0.2);
SELECT snn_encode_delta(ARRAY[1, 4, 4, 4, 4], 1);
SELECT snn_encode_delta(ARRAY[0.1, 0.3], 0.2);
SELECT snn_encode_delta(ARRAY[5], 1);

-- every argument error: SQLSTATE and message
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
-- errors: empty, NULL element, multi-dimensional, NaN, infinity
SELECT q AS call, pg_temp.err(q) AS error FROM (VALUES
	($$SELECT snn_encode_ttfs('{}')$$),
	($$SELECT snn_encode_ttfs(ARRAY[0.5, NULL])$$),
	($$SELECT snn_encode_ttfs(ARRAY[[0.5, 0.2]])$$),
	($$SELECT snn_encode_ttfs(ARRAY[0.5, 'NaN'])$$),
	($$SELECT snn_encode_rate(ARRAY['Infinity'::float8], 0, 1, 10)$$),
	($$SELECT snn_encode_poisson(ARRAY['-Infinity'::float8], 0, 1, 10, 1, 0)$$),
	($$SELECT snn_encode_population('{}', 0, 1, 5)$$),
	($$SELECT snn_encode_delta(ARRAY[NULL::float8], 1)$$),
	($$SELECT snn_encode_delta('{}', 1)$$),
	($$SELECT snn_encode_delta(ARRAY[1, 'NaN'::float8], 1)$$)) v(q);
-- errors: lo, hi
SELECT q AS call, pg_temp.err(q) AS error FROM (VALUES
	($$SELECT snn_encode_ttfs(ARRAY[0.5], 1, 1)$$),
	($$SELECT snn_encode_ttfs(ARRAY[0.5], 2, 1)$$),
	($$SELECT snn_encode_ttfs(ARRAY[0.5], 'NaN', 1)$$),
	($$SELECT snn_encode_rate(ARRAY[0.5], 0, 'Infinity', 10)$$),
	($$SELECT snn_encode_poisson(ARRAY[0.5], -1e308, 1e308, 10, 1, 0)$$),
	($$SELECT snn_decode_ttfs('[0]', 1, 0)$$),
	($$SELECT snn_decode_rate('{neurons:1,steps:1,events:[]}', 0, 0)$$)) v(q);
-- errors: steps
SELECT q AS call, pg_temp.err(q) AS error FROM (VALUES
	($$SELECT snn_encode_ttfs(ARRAY[0.5], 0, 1, 0)$$),
	($$SELECT snn_encode_ttfs(ARRAY[0.5], 0, 1, 256)$$),
	($$SELECT snn_encode_rate(ARRAY[0.5], 0, 1, -1)$$),
	($$SELECT snn_encode_rate(ARRAY[0.5], 0, 1, 10000001)$$),
	($$SELECT snn_encode_population(ARRAY[0.5], 0, 1, 5, 256)$$),
	($$SELECT snn_decode_ttfs('[200]', 0, 1, 100)$$),
	($$SELECT snn_decode_ttfs('[0]', 0, 1, 0)$$)) v(q);
-- errors: rates, seeds are free
SELECT q AS call, pg_temp.err(q) AS error FROM (VALUES
	($$SELECT snn_encode_rate(ARRAY[0.5], 0, 1, 10, 0)$$),
	($$SELECT snn_encode_rate(ARRAY[0.5], 0, 1, 10, 1.5)$$),
	($$SELECT snn_encode_poisson(ARRAY[0.5], 0, 1, 10, 'NaN', 0)$$),
	($$SELECT snn_decode_rate('{neurons:1,steps:1,events:[]}', 0, 1, 2)$$)) v(q);
-- errors: population geometry
SELECT q AS call, pg_temp.err(q) AS error FROM (VALUES
	($$SELECT snn_encode_population(ARRAY[0.5], 0, 1, 0)$$),
	($$SELECT snn_encode_population(ARRAY[0.5], 0, 1, 1025)$$),
	($$SELECT snn_encode_population(ARRAY[0.5], 0, 1, 5, 255, 0)$$),
	($$SELECT snn_encode_population(ARRAY[0.5], 0, 1, 5, 255, 'Infinity')$$),
	($$SELECT snn_encode_population(ARRAY[0.5], 0, 1, 5, 255, 1, 1)$$),
	($$SELECT snn_encode_population(ARRAY[0.5], 0, 1, 5, 255, 1, -0.5)$$),
	($$SELECT snn_decode_population('[0,1,2]', 0, 1, 2)$$)) v(q);
-- errors: delta
SELECT q AS call, pg_temp.err(q) AS error FROM (VALUES
	($$SELECT snn_encode_delta(ARRAY[1, 2], 0)$$),
	($$SELECT snn_encode_delta(ARRAY[1, 2], 'NaN')$$),
	($$SELECT snn_decode_delta('{neurons:3,steps:4,events:[]}', 0, 1)$$),
	($$SELECT snn_decode_delta('{neurons:2,steps:4,events:[]}', 'Infinity', 1)$$),
	($$SELECT snn_decode_delta('{neurons:2,steps:4,events:[]}', 0, -1)$$),
	($$SELECT snn_decode_delta('{neurons:2,steps:4,events:[0@1,0@2]}', 1e308, 1e308)$$)) v(q);
-- errors: sizes over the limits
SELECT q AS call, pg_temp.err(q) AS error FROM (VALUES
	($$SELECT snn_encode_ttfs(array_fill(0.5::float8, ARRAY[65536]))$$),
	($$SELECT snn_encode_population(array_fill(0.5::float8, ARRAY[100]), 0, 1, 1000)$$),
	($$SELECT snn_encode_rate(array_fill(1::float8, ARRAY[1000001]), 0, 1, 1)$$),
	($$SELECT snn_encode_rate(array_fill(1::float8, ARRAY[10000]), 0, 1, 10000000)$$),
	($$SELECT snn_encode_poisson(array_fill(0.5::float8, ARRAY[20000]), 0, 1, 10000, 1, 0)$$)) v(q);
