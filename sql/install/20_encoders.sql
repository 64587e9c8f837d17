-- snn install script, part 20: encoders from float8[] to spikes or
-- spiketrain, and decoders back.  All deterministic (the Poisson code takes
-- an explicit seed), hence IMMUTABLE.  Formulas: README "Encoders and
-- decoders" and src/engine/snn_encode.h.

CREATE FUNCTION snn_encode_ttfs(vals float8[], lo float8 DEFAULT 0, hi float8 DEFAULT 1,
								steps integer DEFAULT 255) RETURNS spikes
	AS 'MODULE_PATHNAME', 'snn_encode_ttfs_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_encode_ttfs(float8[], float8, float8, integer) IS 'time-to-first-spike code: value >= hi fires at step 0, <= lo stays silent, linear in between over steps - 1 (rounded to nearest)';

CREATE FUNCTION snn_decode_ttfs(pattern spikes, lo float8 DEFAULT 0, hi float8 DEFAULT 1,
								steps integer DEFAULT 255) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'snn_decode_ttfs_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_decode_ttfs(spikes, float8, float8, integer) IS 'inverse of snn_encode_ttfs: step t -> hi - t (hi - lo) / (steps - 1), silent -> lo';

CREATE FUNCTION snn_encode_rate(vals float8[], lo float8, hi float8, steps integer,
								max_rate float8 DEFAULT 1) RETURNS spiketrain
	AS 'MODULE_PATHNAME', 'snn_encode_rate_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_encode_rate(float8[], float8, float8, integer, float8) IS 'regular rate code: round(u max_rate steps) evenly spread spikes per neuron, u the value normalised to [0, 1]';

CREATE FUNCTION snn_decode_rate(train spiketrain, lo float8, hi float8,
								max_rate float8 DEFAULT 1) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'snn_decode_rate_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_decode_rate(spiketrain, float8, float8, float8) IS 'inverse of the rate codes: spike count / (max_rate steps), capped at 1, mapped back to [lo, hi]';

CREATE FUNCTION snn_encode_poisson(vals float8[], lo float8, hi float8, steps integer,
								   max_rate float8, seed bigint) RETURNS spiketrain
	AS 'MODULE_PATHNAME', 'snn_encode_poisson_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_encode_poisson(float8[], float8, float8, integer, float8, bigint) IS 'Bernoulli (Poisson) rate code: fires with probability u max_rate per step, reproducible from seed (SplitMix64 streams)';

CREATE FUNCTION snn_encode_population(vals float8[], lo float8, hi float8, neurons_per_value integer,
									  steps integer DEFAULT 255, sigma float8 DEFAULT 1,
									  min_activation float8 DEFAULT 0.1) RETURNS spikes
	AS 'MODULE_PATHNAME', 'snn_encode_population_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_encode_population(float8[], float8, float8, integer, integer, float8, float8) IS 'population code: Gaussian receptive fields evenly spaced over [lo, hi] (width sigma x spacing), each TTFS-coded from its activation';

CREATE FUNCTION snn_decode_population(pattern spikes, lo float8, hi float8, neurons_per_value integer,
									  steps integer DEFAULT 255, sigma float8 DEFAULT 1,
									  min_activation float8 DEFAULT 0.1) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'snn_decode_population_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_decode_population(spikes, float8, float8, integer, integer, float8, float8) IS 'inverse of snn_encode_population from the earliest field and its neighbours; NULL where a value''s fields all stayed silent';

CREATE FUNCTION snn_encode_delta(series float8[], threshold float8) RETURNS spiketrain
	AS 'MODULE_PATHNAME', 'snn_encode_delta_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_encode_delta(float8[], float8) IS 'sigma-delta code of a time series: neuron 0 (UP) / 1 (DOWN) fires when the value moves a threshold from the reference, at most one spike a step';

CREATE FUNCTION snn_decode_delta(train spiketrain, initial float8, threshold float8) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'snn_decode_delta_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_decode_delta(spiketrain, float8, float8) IS 'inverse of snn_encode_delta: the reference at each step, initial + threshold (UP - DOWN spikes so far)';
