-- snn 0.1.0: the install script of release 0.1.0, frozen (what users have installed); never edit.
\echo Use "CREATE EXTENSION snn" to load this file. \quit

-- ==== sql/install/00_base.sql ====
-- snn install script, part 00: base objects shared by every area.

COMMENT ON EXTENSION snn IS 'spiking neural networks: TTFS pattern memory, HNSW index, simulation, training';

-- ==== sql/install/10_spikes.sql ====
-- snn install script, part 10: the spikes type (a TTFS pattern, one byte a
-- neuron), its casts, accessors, btree and hash operator classes, and the
-- L2 and L1 distances with their operators <-> and <+>.

CREATE TYPE spikes;

CREATE FUNCTION spikes_in(cstring, oid, integer) RETURNS spikes
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_in(cstring, oid, integer) IS 'text input of spikes: "[0,3,_,12]", "_" for a silent neuron';

CREATE FUNCTION spikes_out(spikes) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_out(spikes) IS 'text output of spikes, canonical "[0,3,_,12]"';

CREATE FUNCTION spikes_typmod_in(cstring[]) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_typmod_in(cstring[]) IS 'type modifier input of spikes(n): n neurons, 1 to 65535';

CREATE FUNCTION spikes_typmod_out(integer) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_typmod_out(integer) IS 'type modifier output of spikes(n)';

CREATE FUNCTION spikes_recv(internal, oid, integer) RETURNS spikes
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_recv(internal, oid, integer) IS 'binary input of spikes: version byte 1, uint16 neuron count, one byte a neuron';

CREATE FUNCTION spikes_send(spikes) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_send(spikes) IS 'binary output of spikes: version byte 1, uint16 neuron count, one byte a neuron';

CREATE TYPE spikes (
	INPUT = spikes_in,
	OUTPUT = spikes_out,
	TYPMOD_IN = spikes_typmod_in,
	TYPMOD_OUT = spikes_typmod_out,
	RECEIVE = spikes_recv,
	SEND = spikes_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE spikes IS 'time-to-first-spike pattern: per neuron the step of its first spike (0..254) or silent';

-- length coercion to spikes(n), and casts to and from int[]

CREATE FUNCTION spikes(spikes, integer, boolean) RETURNS spikes
	AS 'MODULE_PATHNAME', 'spikes_coerce' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes(spikes, integer, boolean) IS 'length coercion of spikes to spikes(n): errors unless the neuron count is n';

CREATE FUNCTION spikes_from_int_array(integer[], integer, boolean) RETURNS spikes
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_from_int_array(integer[], integer, boolean) IS 'cast int[] to spikes: element i is neuron i''s step 0..254, NULL for silent';

CREATE FUNCTION spikes_to_int_array(spikes) RETURNS integer[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_to_int_array(spikes) IS 'cast spikes to int[]: one element a neuron, NULL for a silent neuron';

CREATE CAST (spikes AS spikes) WITH FUNCTION spikes(spikes, integer, boolean) AS IMPLICIT;
CREATE CAST (integer[] AS spikes) WITH FUNCTION spikes_from_int_array(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (spikes AS integer[]) WITH FUNCTION spikes_to_int_array(spikes) AS ASSIGNMENT;

-- accessors (neurons are numbered from 0)

CREATE FUNCTION spikes_dims(spikes) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_dims(spikes) IS 'number of neurons of a spikes pattern';

CREATE FUNCTION spikes_fired(spikes) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_fired(spikes) IS 'number of neurons that fired (are not silent)';

CREATE FUNCTION spikes_first_neuron(spikes) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_first_neuron(spikes) IS 'index (from 0) of the neuron that fired first, lowest index on ties; NULL if none fired';

CREATE FUNCTION spikes_earliest(spikes) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_earliest(spikes) IS 'step of the earliest spike; NULL if none fired';

-- equality and ordering

CREATE FUNCTION spikes_eq(spikes, spikes) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_eq(spikes, spikes) IS 'same neuron count and same step for every neuron';

CREATE FUNCTION spikes_ne(spikes, spikes) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_ne(spikes, spikes) IS 'not spikes_eq';

CREATE FUNCTION spikes_lt(spikes, spikes) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_lt(spikes, spikes) IS 'less than in the spikes order (neuron by neuron, silent last, then shorter first)';

CREATE FUNCTION spikes_le(spikes, spikes) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_le(spikes, spikes) IS 'less than or equal in the spikes order';

CREATE FUNCTION spikes_gt(spikes, spikes) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_gt(spikes, spikes) IS 'greater than in the spikes order';

CREATE FUNCTION spikes_ge(spikes, spikes) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_ge(spikes, spikes) IS 'greater than or equal in the spikes order';

CREATE FUNCTION spikes_cmp(spikes, spikes) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_cmp(spikes, spikes) IS 'btree comparison of spikes: -1, 0 or 1';

CREATE FUNCTION spikes_hash(spikes) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_hash(spikes) IS 'hash of a spikes pattern, for hash joins, hash aggregation and hash indexes';

CREATE FUNCTION spikes_hash_extended(spikes, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_hash_extended(spikes, bigint) IS 'seeded 64-bit hash of a spikes pattern, for hash partitioning';

CREATE OPERATOR = (
	LEFTARG = spikes, RIGHTARG = spikes, PROCEDURE = spikes_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel,
	HASHES, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = spikes, RIGHTARG = spikes, PROCEDURE = spikes_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR < (
	LEFTARG = spikes, RIGHTARG = spikes, PROCEDURE = spikes_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = spikes, RIGHTARG = spikes, PROCEDURE = spikes_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
	LEFTARG = spikes, RIGHTARG = spikes, PROCEDURE = spikes_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = spikes, RIGHTARG = spikes, PROCEDURE = spikes_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS spikes_ops
	DEFAULT FOR TYPE spikes USING btree AS
	OPERATOR 1 <,
	OPERATOR 2 <=,
	OPERATOR 3 =,
	OPERATOR 4 >=,
	OPERATOR 5 >,
	FUNCTION 1 spikes_cmp(spikes, spikes);

CREATE OPERATOR CLASS spikes_hash_ops
	DEFAULT FOR TYPE spikes USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 spikes_hash(spikes),
	FUNCTION 2 spikes_hash_extended(spikes, bigint);

-- distances (exact integer kernels in src/engine/snn_distance.c)

CREATE FUNCTION spikes_l2_distance(spikes, spikes) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_l2_distance(spikes, spikes) IS 'Euclidean distance between two spikes patterns of equal size (silent counts as step 255)';

CREATE FUNCTION spikes_l2_squared_distance(spikes, spikes) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_l2_squared_distance(spikes, spikes) IS 'squared Euclidean distance between two spikes patterns, exact';

CREATE FUNCTION spikes_l1_distance(spikes, spikes) RETURNS float8
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_l1_distance(spikes, spikes) IS 'Manhattan distance (sum of absolute step differences) between two spikes patterns, exact';

CREATE OPERATOR <-> (
	LEFTARG = spikes, RIGHTARG = spikes, PROCEDURE = spikes_l2_distance,
	COMMUTATOR = <->
);
COMMENT ON OPERATOR <->(spikes, spikes) IS 'Euclidean (L2) distance';

CREATE OPERATOR <+> (
	LEFTARG = spikes, RIGHTARG = spikes, PROCEDURE = spikes_l1_distance,
	COMMUTATOR = <+>
);
COMMENT ON OPERATOR <+>(spikes, spikes) IS 'Manhattan (L1) distance';

-- ==== sql/install/15_spiketrain.sql ====
-- snn install script, part 15: the spiketrain type (many spikes per neuron:
-- sorted (step, neuron) events in a fixed shape), its casts to and from
-- spikes, accessors, a constructor from arrays, equality, btree and hash
-- operator classes.

CREATE TYPE spiketrain;

CREATE FUNCTION spiketrain_in(cstring) RETURNS spiketrain
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_in(cstring) IS 'text input of spiketrain: "{neurons:4,steps:20,events:[1@0,3@0,0@7]}" (neuron@step; events sorted and de-duplicated)';

CREATE FUNCTION spiketrain_out(spiketrain) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_out(spiketrain) IS 'text output of spiketrain, canonical: no blanks, events in (step, neuron) order';

CREATE FUNCTION spiketrain_recv(internal) RETURNS spiketrain
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_recv(internal) IS 'binary input of spiketrain: version byte 1, uint32 neurons, steps, event count, then uint32 step and neuron per event; fully validated';

CREATE FUNCTION spiketrain_send(spiketrain) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_send(spiketrain) IS 'binary output of spiketrain: version byte 1, uint32 neurons, steps, event count, then uint32 step and neuron per event';

CREATE TYPE spiketrain (
	INPUT = spiketrain_in,
	OUTPUT = spiketrain_out,
	RECEIVE = spiketrain_recv,
	SEND = spiketrain_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE spiketrain IS 'spike train: (neuron, step) events over a fixed number of neurons and steps, stored sorted by step then neuron';

-- casts to and from spikes

CREATE FUNCTION spiketrain_to_spikes(spiketrain) RETURNS spikes
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_to_spikes(spiketrain) IS 'cast spiketrain to spikes: each neuron''s first spike; an error if one is after step 254 or there are over 65535 neurons';

CREATE FUNCTION spikes_to_spiketrain(spikes) RETURNS spiketrain
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_to_spiketrain(spikes) IS 'cast spikes to spiketrain: one event per neuron that fired, over 255 steps';

CREATE CAST (spiketrain AS spikes) WITH FUNCTION spiketrain_to_spikes(spiketrain);
CREATE CAST (spikes AS spiketrain) WITH FUNCTION spikes_to_spiketrain(spikes);

-- accessors (neurons and steps are numbered from 0)

CREATE FUNCTION spiketrain_neurons(spiketrain) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_neurons(spiketrain) IS 'number of neurons of a spike train (firing or not)';

CREATE FUNCTION spiketrain_events(spiketrain) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_events(spiketrain) IS 'number of spike events of a spike train';

CREATE FUNCTION spiketrain_duration(spiketrain) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_duration(spiketrain) IS 'duration of a spike train in steps';

CREATE FUNCTION spiketrain_neuron_events(spiketrain, neuron integer) RETURNS integer[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_neuron_events(spiketrain, integer) IS 'the steps at which one neuron fires, ascending; empty if it never fires';

CREATE FUNCTION spiketrain_unnest(spiketrain, OUT step integer, OUT neuron integer) RETURNS SETOF record
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION spiketrain_unnest(spiketrain) IS 'one row (step, neuron) per event, in (step, neuron) order';

CREATE FUNCTION spiketrain_counts(spiketrain) RETURNS integer[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_counts(spiketrain) IS 'number of spikes of each neuron, one element a neuron';

CREATE FUNCTION spiketrain_window(spiketrain, from_step integer, steps integer) RETURNS spiketrain
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_window(spiketrain, integer, integer) IS 'the events of steps from_step .. from_step + steps - 1, shifted to start at step 0, as a train of steps steps';

CREATE FUNCTION spiketrain(neurons integer, steps integer, event_steps integer[], event_neurons integer[]) RETURNS spiketrain
	AS 'MODULE_PATHNAME', 'spiketrain_from_arrays' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain(integer, integer, integer[], integer[]) IS 'build a spike train: event i fires neuron event_neurons[i] at step event_steps[i]; sorted and de-duplicated';

-- equality, a sort order and hashing (the stored form is canonical)

CREATE FUNCTION spiketrain_eq(spiketrain, spiketrain) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_eq(spiketrain, spiketrain) IS 'same neurons, steps and events';

CREATE FUNCTION spiketrain_ne(spiketrain, spiketrain) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_ne(spiketrain, spiketrain) IS 'not spiketrain_eq';

CREATE FUNCTION spiketrain_lt(spiketrain, spiketrain) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_lt(spiketrain, spiketrain) IS 'less than in the spiketrain sort order (neurons, steps, then events)';

CREATE FUNCTION spiketrain_le(spiketrain, spiketrain) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_le(spiketrain, spiketrain) IS 'less than or equal in the spiketrain sort order';

CREATE FUNCTION spiketrain_gt(spiketrain, spiketrain) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_gt(spiketrain, spiketrain) IS 'greater than in the spiketrain sort order';

CREATE FUNCTION spiketrain_ge(spiketrain, spiketrain) RETURNS boolean
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_ge(spiketrain, spiketrain) IS 'greater than or equal in the spiketrain sort order';

CREATE FUNCTION spiketrain_cmp(spiketrain, spiketrain) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_cmp(spiketrain, spiketrain) IS 'btree comparison of spike trains: -1, 0 or 1 (a total order for sorting and unique indexes, without physical meaning)';

CREATE FUNCTION spiketrain_hash(spiketrain) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_hash(spiketrain) IS 'hash of a spike train, for hash joins, hash aggregation and hash indexes';

CREATE FUNCTION spiketrain_hash_extended(spiketrain, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_hash_extended(spiketrain, bigint) IS 'seeded 64-bit hash of a spike train, for hash partitioning';

CREATE OPERATOR = (
	LEFTARG = spiketrain, RIGHTARG = spiketrain, PROCEDURE = spiketrain_eq,
	COMMUTATOR = =, NEGATOR = <>, RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR <> (
	LEFTARG = spiketrain, RIGHTARG = spiketrain, PROCEDURE = spiketrain_ne,
	COMMUTATOR = <>, NEGATOR = =, RESTRICT = neqsel, JOIN = neqjoinsel
);

CREATE OPERATOR < (
	LEFTARG = spiketrain, RIGHTARG = spiketrain, PROCEDURE = spiketrain_lt,
	COMMUTATOR = >, NEGATOR = >=, RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR <= (
	LEFTARG = spiketrain, RIGHTARG = spiketrain, PROCEDURE = spiketrain_le,
	COMMUTATOR = >=, NEGATOR = >, RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR > (
	LEFTARG = spiketrain, RIGHTARG = spiketrain, PROCEDURE = spiketrain_gt,
	COMMUTATOR = <, NEGATOR = <=, RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR >= (
	LEFTARG = spiketrain, RIGHTARG = spiketrain, PROCEDURE = spiketrain_ge,
	COMMUTATOR = <=, NEGATOR = <, RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR CLASS spiketrain_ops
	DEFAULT FOR TYPE spiketrain USING btree AS
	OPERATOR 1 <,
	OPERATOR 2 <=,
	OPERATOR 3 =,
	OPERATOR 4 >=,
	OPERATOR 5 >,
	FUNCTION 1 spiketrain_cmp(spiketrain, spiketrain);

CREATE OPERATOR CLASS spiketrain_hash_ops
	DEFAULT FOR TYPE spiketrain USING hash AS
	OPERATOR 1 =,
	FUNCTION 1 spiketrain_hash(spiketrain),
	FUNCTION 2 spiketrain_hash_extended(spiketrain, bigint);

-- ==== sql/install/20_encoders.sql ====
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

-- ==== sql/install/30_hnsw.sql ====
-- snn install script, part 30: the snn_hnsw index access method.

CREATE FUNCTION snn_hnsw_handler(internal) RETURNS index_am_handler
	AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION snn_hnsw_handler(internal) IS 'handler of the snn_hnsw index access method (HNSW graph over spikes patterns)';

CREATE ACCESS METHOD snn_hnsw TYPE INDEX HANDLER snn_hnsw_handler;
COMMENT ON ACCESS METHOD snn_hnsw IS 'approximate nearest-pattern index (HNSW graph) for spikes: ORDER BY pattern <-> $1 LIMIT k';

CREATE FUNCTION snn_hnsw_metric_l2(internal) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_hnsw_metric_l2(internal) IS 'snn_hnsw support function of spikes_l2_ops: the graph compares exact squared L2 distances';

CREATE FUNCTION snn_hnsw_metric_l1(internal) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_hnsw_metric_l1(internal) IS 'snn_hnsw support function of spikes_l1_ops: the graph compares exact L1 distances';

CREATE OPERATOR CLASS spikes_l2_ops
	DEFAULT FOR TYPE spikes USING snn_hnsw AS
	OPERATOR 1 <-> (spikes, spikes) FOR ORDER BY float_ops,
	FUNCTION 1 snn_hnsw_metric_l2(internal);

CREATE OPERATOR CLASS spikes_l1_ops
	FOR TYPE spikes USING snn_hnsw AS
	OPERATOR 1 <+> (spikes, spikes) FOR ORDER BY float_ops,
	FUNCTION 1 snn_hnsw_metric_l1(internal);

-- allocation of a fact to a column by lateral inhibition

CREATE FUNCTION snn_allocate(tab regclass, pattern spikes, vigilance float8,
		k integer DEFAULT 16, pattern_column name DEFAULT 'pattern',
		key_column name DEFAULT 'id',
		OUT key bigint, OUT distance float8, OUT created boolean)
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION snn_allocate(regclass, spikes, float8, integer, name, name) IS 'allocate a pattern to a column: the k nearest rows compete in a LIF winner-take-all layer (current rising with similarity inside the vigilance distance), the first to fire wins; with no candidate within vigilance a new row is inserted; returns the key, the distance and whether the row was created';

-- ==== sql/install/40_network.sql ====
-- snn install script, part 40: networks.  The snn type is a flat network
-- image (architecture, parameters, weights); snn_create builds one from a
-- jsonb configuration, snn_simulate runs it on a spike train, and
-- snn_raster_svg draws spike trains.

CREATE TYPE snn;

CREATE FUNCTION snn_network_in(cstring) RETURNS snn
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_network_in(cstring) IS 'text input of snn: JSON with the configuration and, optionally, the synapse tables in base64 and the training history; strict, errors name the field';

CREATE FUNCTION snn_network_out(snn) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_network_out(snn) IS 'text output of snn: JSON with every parameter, the synapse tables in base64 and the training history; reads back to the same value';

CREATE FUNCTION snn_network_recv(internal) RETURNS snn
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_network_recv(internal) IS 'binary input of snn: the network image (magic, format version, sections), fully validated';

CREATE FUNCTION snn_network_send(snn) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_network_send(snn) IS 'binary output of snn: the network image (magic, format version, sections)';

CREATE TYPE snn (
	INPUT = snn_network_in,
	OUTPUT = snn_network_out,
	RECEIVE = snn_network_recv,
	SEND = snn_network_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
COMMENT ON TYPE snn IS 'spiking neural network: architecture, neuron parameters and synapses as one flat, relocatable image';

CREATE FUNCTION snn_create(config jsonb) RETURNS snn
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_create(jsonb) IS 'build a network from a configuration: feed-forward layers (optionally winner-take-all) or a recurrent reservoir; validated before anything is allocated, random parts reproducible from "seed"';

CREATE FUNCTION snn_info(net snn) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_info(snn) IS 'architecture, sizes, synapse counts, bytes, state bytes, configuration and training history of a network';

CREATE FUNCTION snn_simulate(net snn, input spiketrain, steps integer DEFAULT NULL,
							 seed bigint DEFAULT 0, layer integer DEFAULT NULL) RETURNS spiketrain
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION snn_simulate(snn, spiketrain, integer, bigint, integer) IS 'run a network on an input spike train (NULL: no input) for steps steps (default: the train''s duration) from a state seeded by seed; returns the spikes of every neuron, or of one layer';

CREATE FUNCTION snn_simulate_stats(net snn, input spiketrain, steps integer DEFAULT NULL,
								   seed bigint DEFAULT 0, layer integer DEFAULT NULL) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION snn_simulate_stats(snn, spiketrain, integer, bigint, integer) IS 'run like snn_simulate and report spikes (in all and per layer), input and synaptic events, neuron updates and the wall time of the simulation loop';

CREATE FUNCTION snn_raster_svg(train spiketrain, width integer DEFAULT 1000,
							   height integer DEFAULT 600, title text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION snn_raster_svg(spiketrain, integer, integer, text) IS 'raster plot of a spike train as SVG: neurons on y, steps on x, the title escaped';

-- ==== sql/install/50_train.sql ====
-- snn install script, part 50: training and inference.
-- snn_train returns a trained copy of a network (the input is untouched);
-- snn_infer / snn_predict run a trained network on features; snn_energy
-- estimates the energy of an inference on neuromorphic platforms and a CPU.

CREATE FUNCTION snn_train(net snn, inputs real[], labels integer[], method text,
						  options jsonb DEFAULT '{}') RETURNS snn
	AS 'MODULE_PATHNAME', 'snn_train' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION snn_train(snn, real[], integer[], text, jsonb) IS 'train a copy of a network on samples (rows of inputs) and labels with method backprop, ridge, stdp or hebbian; options as jsonb; returns the trained network with its training history';

CREATE FUNCTION snn_train_query(net snn, query text, method text,
								options jsonb DEFAULT '{}') RETURNS snn
	AS 'MODULE_PATHNAME', 'snn_train_query' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION snn_train_query(snn, text, text, jsonb) IS 'train like snn_train on the rows of a query returning (features real[] or double precision[], label integer); the label column may be left out for stdp and hebbian';

CREATE FUNCTION snn_train_history(net snn,
		OUT run integer, OUT method text, OUT epochs integer, OUT samples bigint,
		OUT loss double precision, OUT accuracy double precision, OUT converged boolean,
		OUT duration_ms double precision, OUT trained_at timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'snn_train_history' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_train_history(snn) IS 'the training runs of a network, oldest first: method, epochs, samples, loss, accuracy (validation accuracy when there was a split), converged, duration and time';

CREATE FUNCTION snn_infer(net snn, features real[],
		OUT predicted integer, OUT spikes spikes, OUT confidence double precision,
		OUT layer_spikes integer[], OUT steps integer, OUT synaptic_ops bigint,
		OUT neuron_updates bigint, OUT microseconds double precision)
	AS 'MODULE_PATHNAME', 'snn_infer' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_infer(snn, real[]) IS 'run a trained network on one sample: the predicted class (first output neuron to fire), output spike times, confidence (margin to the runner-up), spikes per layer, steps, synaptic operations, neuron updates and microseconds';

CREATE FUNCTION snn_predict(net snn, features real[]) RETURNS integer
	AS 'MODULE_PATHNAME', 'snn_predict' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict(snn, real[]) IS 'the class a trained network predicts for one sample (first output neuron to fire); NULL when no labelled output fires';

CREATE FUNCTION snn_infer_batch(net snn, features real[],
		OUT row_number integer, OUT predicted integer, OUT spikes spikes,
		OUT confidence double precision, OUT layer_spikes integer[], OUT steps integer,
		OUT synaptic_ops bigint, OUT neuron_updates bigint, OUT microseconds double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'snn_infer_batch' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_infer_batch(snn, real[]) IS 'snn_infer on every row of a two-dimensional features array, preparing the network once; one result row per sample, numbered from 1';

CREATE FUNCTION snn_predict_batch(net snn, features real[]) RETURNS integer[]
	AS 'MODULE_PATHNAME', 'snn_predict_batch' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_batch(snn, real[]) IS 'the predicted classes of every row of a two-dimensional features array, in row order, preparing the network once';

CREATE FUNCTION snn_energy(net snn, features real[])
	RETURNS TABLE (platform text, synaptic_ops bigint, neuron_updates bigint,
				   energy_nj double precision, ann_equivalent_nj double precision,
				   source text)
	AS 'MODULE_PATHNAME', 'snn_energy' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_energy(snn, real[]) IS 'estimated energy of one inference on Loihi, TrueNorth, SpiNNaker and a 45 nm CPU from published per-operation energies (estimates, see the README), beside the equivalent rate network''s multiply-accumulates';

CREATE FUNCTION snn_predict_rate(net snn, features real[]) RETURNS integer
	AS 'MODULE_PATHNAME', 'snn_predict_rate' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_rate(snn, real[]) IS 'the class the rate (ReLU) network behind a backprop-trained network predicts, to compare with the converted spiking network';

CREATE FUNCTION snn_train(net snn, inputs real[], targets real[], method text,
						  options jsonb DEFAULT '{}') RETURNS snn
	AS 'MODULE_PATHNAME', 'snn_train' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION snn_train(snn, real[], real[], text, jsonb) IS 'ridge regression: train a reservoir''s linear read-out on real targets (one a sample, or one row of outputs a sample)';

CREATE FUNCTION snn_predict_values(net snn, features real[]) RETURNS real[]
	AS 'MODULE_PATHNAME', 'snn_predict_values' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_values(snn, real[]) IS 'the read-out values of a ridge-trained reservoir for one sample: regression outputs, or one score a class';

-- ==== sql/install/60_runtime.sql ====
-- snn install script, part 60: the shared-memory runtime of ephemeral
-- networks (needs shared_preload_libraries = 'snn'; every function here
-- raises SQLSTATE 55000 naming that setting when it is missing).

-- Network types: named templates with a pool of ready networks.  The table
-- is the truth (kept by pg_dump); shared memory holds the templates and
-- pools of the types in use since the server started.
CREATE TABLE snn_network_types (
	name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 63),
	config jsonb NOT NULL,
	pool_min integer NOT NULL DEFAULT 0 CHECK (pool_min BETWEEN 0 AND 1024),
	pool_max integer NOT NULL DEFAULT 1024 CHECK (pool_max >= greatest(pool_min, 1)),
	ttl interval CHECK (ttl IS NULL OR ttl >= interval '0'),
	defined_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE snn_network_types IS 'network types of the snn runtime: configuration, pool sizes and idle time-to-live';
SELECT pg_catalog.pg_extension_config_dump('snn_network_types', '');
GRANT SELECT ON snn_network_types TO PUBLIC;

CREATE FUNCTION snn_define_type(name text, config jsonb, pool_min integer DEFAULT 0,
								pool_max integer DEFAULT 1024, ttl interval DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_define_type'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_define_type(text, jsonb, integer, integer, interval) IS
'define or replace a network type: snn_create(config) is its template, pool_min ready networks are kept, at most pool_max alive, networks idle longer than ttl are disposed of';

CREATE FUNCTION snn_drop_type(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_drop_type'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_drop_type(text) IS
'drop a network type and its pool; networks already spawned from it live on';

CREATE FUNCTION snn_spawn(type text, tag text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_spawn_type'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_spawn(text, text) IS
'take a ready network of a type from its pool and return its id (waits up to snn.acquire_timeout at a limit)';

CREATE FUNCTION snn_spawn(net snn, tag text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_spawn_value'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_spawn(snn, text) IS
'copy a network value into shared memory and return its id (same as snn_load)';

CREATE FUNCTION snn_load(net snn, tag text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_spawn_value'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_load(snn, text) IS
'copy a network value into shared memory and return its id';

CREATE FUNCTION snn_save(id bigint)
RETURNS snn
AS 'MODULE_PATHNAME', 'snn_save_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_save(bigint) IS
'the current network of an id as an snn value (to keep in a table)';

CREATE FUNCTION snn_dispose(id bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_dispose_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_dispose(bigint) IS
'free a network now';

CREATE FUNCTION snn_infer(id bigint, features real[],
		OUT predicted integer, OUT spikes spikes, OUT confidence double precision,
		OUT layer_spikes integer[], OUT steps integer, OUT synaptic_ops bigint,
		OUT neuron_updates bigint, OUT microseconds double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'snn_infer_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_infer(bigint, real[]) IS
'snn_infer(snn, real[]) on a live network, handed its image in shared memory in place; any number of sessions at once';

CREATE FUNCTION snn_predict(id bigint, features real[])
RETURNS integer
AS 'MODULE_PATHNAME', 'snn_predict_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_predict(bigint, real[]) IS
'snn_predict(snn, real[]) on a live network: the predicted class (counted as infer)';

CREATE FUNCTION snn_train(id bigint, inputs real[], labels integer[], method text,
						  options jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_train_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_train(bigint, real[], integer[], text, jsonb) IS
'snn_train(snn, ...) on a copy of a live network, swapped in when it succeeds (an error or cancel leaves the old weights); returns the id';

CREATE FUNCTION snn_train_query(id bigint, query text, method text,
								options jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_train_query_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_train_query(bigint, text, text, jsonb) IS
'snn_train_query(snn, ...) on a copy of a live network, swapped in when it succeeds; returns the id';

-- Monitoring, built like pg_stat_statements.
CREATE FUNCTION snn_stat_pools(
	OUT type text, OUT dbid oid, OUT size integer, OUT ready integer,
	OUT in_use integer, OUT waiting integer, OUT gets bigint, OUT hits bigint,
	OUT timeouts bigint, OUT errors bigint, OUT success_rate float8,
	OUT utilisation float8, OUT pool_min integer, OUT pool_max integer,
	OUT ttl_ms bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'snn_stat_pools'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_stat_pools() IS
'pool counters of each network type in shared memory (behind pg_stat_snn_pools)';

CREATE FUNCTION snn_stat_networks(
	OUT id bigint, OUT owner oid, OUT type text, OUT dbid oid, OUT tag text,
	OUT state text, OUT created timestamptz, OUT last_used timestamptz,
	OUT bytes bigint, OUT infer_count bigint, OUT train_count bigint,
	OUT ttl_ms bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'snn_stat_networks'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_stat_networks() IS
'one row per live network (behind pg_stat_snn_networks)';

CREATE FUNCTION snn_stat_lifecycle(
	OUT type text, OUT phase text, OUT count bigint, OUT mean_us float8,
	OUT p50_us float8, OUT p99_us float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'snn_stat_lifecycle'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_stat_lifecycle() IS
'latency of each lifecycle phase per network type (behind pg_stat_snn_lifecycle)';

CREATE FUNCTION snn_stat_memory(OUT category text, OUT bytes bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'snn_stat_memory'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_stat_memory() IS
'shared memory of the runtime by category, with the limit and the high-water mark (behind pg_stat_snn_memory)';

CREATE FUNCTION snn_stat_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'snn_stat_reset'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_stat_reset() IS
'zero the runtime counters, latency histograms and the memory high-water mark';
REVOKE ALL ON FUNCTION snn_stat_reset() FROM PUBLIC;

CREATE VIEW pg_stat_snn_pools AS
	SELECT p.type, d.datname, p.size, p.ready, p.in_use, p.waiting, p.gets,
		   p.hits, p.timeouts, p.errors, p.success_rate, p.utilisation,
		   p.pool_min, p.pool_max, p.ttl_ms
	FROM snn_stat_pools() p LEFT JOIN pg_database d ON d.oid = p.dbid;
COMMENT ON VIEW pg_stat_snn_pools IS 'one row per network type pool of the snn runtime';

CREATE VIEW pg_stat_snn_networks AS
	SELECT n.id, r.rolname AS owner, n.type, d.datname, n.tag, n.state,
		   n.created, n.last_used, n.bytes, n.infer_count, n.train_count, n.ttl_ms
	FROM snn_stat_networks() n
	LEFT JOIN pg_roles r ON r.oid = n.owner
	LEFT JOIN pg_database d ON d.oid = n.dbid;
COMMENT ON VIEW pg_stat_snn_networks IS 'one row per live network of the snn runtime';

CREATE VIEW pg_stat_snn_lifecycle AS
	SELECT * FROM snn_stat_lifecycle();
COMMENT ON VIEW pg_stat_snn_lifecycle IS 'count and latency (mean, p50, p99 in microseconds) of spawn, train, infer, save and dispose per network type';

CREATE VIEW pg_stat_snn_memory AS
	SELECT * FROM snn_stat_memory();
COMMENT ON VIEW pg_stat_snn_memory IS 'shared memory of the snn runtime in bytes by category, total, limit and high-water mark';

GRANT SELECT ON pg_stat_snn_pools, pg_stat_snn_networks, pg_stat_snn_lifecycle,
	pg_stat_snn_memory TO PUBLIC;

-- ==== sql/install/70_streams.sql ====
-- snn install script, part 70: anomaly detection on event streams.
-- Definitions live in snn_detectors (kept by pg_dump); the live state of
-- each stream is in shared memory (needs shared_preload_libraries = 'snn':
-- scoring, the trigger and the statistics raise SQLSTATE 55000 without it).

CREATE FUNCTION snn_detector_new_id()
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_detector_new_id'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_new_id() IS
'internal: a detector id never reused (so a state in shared memory or on disk never meets another detector)';

CREATE TABLE snn_detectors (
	id bigint PRIMARY KEY DEFAULT snn_detector_new_id(),
	name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 63),
	config jsonb NOT NULL,
	settings jsonb NOT NULL,
	seed bigint NOT NULL,
	frozen boolean NOT NULL DEFAULT false,
	actions text NOT NULL CHECK (length(actions) <= 1000),
	owner regrole NOT NULL DEFAULT current_user::regrole,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE snn_detectors IS 'anomaly detectors: the configuration as given, the effective settings, seed, learning frozen or not, recommended actions';
SELECT pg_catalog.pg_extension_config_dump('snn_detectors', '');
GRANT SELECT ON snn_detectors TO PUBLIC;

CREATE TABLE snn_anomalies (
	id bigserial PRIMARY KEY,
	detected_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	detector text NOT NULL,
	event_id text,
	stream_key text NOT NULL,
	event_time timestamptz NOT NULL,
	score float8 NOT NULL,
	anomaly_type text NOT NULL,
	severity text NOT NULL,
	feature text,
	spike_pattern integer[] NOT NULL,
	contributing_event_ids text[] NOT NULL,
	recommended_actions text NOT NULL
);
COMMENT ON TABLE snn_anomalies IS 'anomalies found by snn_detect triggers (also sent as NOTIFY snn_anomalies)';
SELECT pg_catalog.pg_extension_config_dump('snn_anomalies', '');
SELECT pg_catalog.pg_extension_config_dump('snn_anomalies_id_seq', '');
GRANT SELECT ON snn_anomalies TO PUBLIC;

CREATE FUNCTION snn_detector_settings(config jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'snn_detector_settings'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_detector_settings(jsonb) IS
'the effective detector configuration: the preset''s defaults overridden by the given fields, validated, every field named';

CREATE FUNCTION snn_detector_preset_actions(preset text)
RETURNS text
AS 'MODULE_PATHNAME', 'snn_detector_preset_actions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_detector_preset_actions(text) IS
'the recommended-actions text of a domain preset (generic, security, performance, business, sensor)';

CREATE FUNCTION snn_detector_invalidate()
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_invalidate'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_invalidate() IS
'internal: tell every session, at commit, that a detector changed';

CREATE FUNCTION snn_detector_discard(id bigint, key text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_discard'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_discard(bigint, text) IS
'internal: discard the live state of a detector''s stream (all streams if key is NULL) when the transaction commits';

CREATE FUNCTION snn_detector_create(name text, config jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = @extschema@, pg_catalog
AS $$
DECLARE
	s jsonb := snn_detector_settings(config);
	new_id bigint;
BEGIN
	IF name IS NULL OR config IS NULL THEN
		RAISE EXCEPTION 'detector name and configuration must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	INSERT INTO snn_detectors (name, config, settings, seed, actions)
	VALUES (name, config, s, (s->>'seed')::bigint,
			coalesce(config->>'actions', snn_detector_preset_actions(s->>'preset')))
	RETURNING id INTO new_id;
	PERFORM snn_detector_invalidate();
	RETURN new_id;
EXCEPTION WHEN unique_violation THEN
	RAISE EXCEPTION 'detector "%" already exists', name USING ERRCODE = 'duplicate_object';
END
$$;
COMMENT ON FUNCTION snn_detector_create(text, jsonb) IS
'create a named anomaly detector from a jsonb configuration (preset, seed, threshold, encoder, reservoir, learning, scoring); returns its id';

-- The detector row, locked, if the caller may change it.
CREATE FUNCTION snn_detector_own(name text)
RETURNS snn_detectors
LANGUAGE plpgsql VOLATILE
SET search_path = @extschema@, pg_catalog
AS $$
DECLARE
	d snn_detectors;
BEGIN
	SELECT * INTO d FROM snn_detectors WHERE snn_detectors.name = snn_detector_own.name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'detector "%" does not exist', name USING ERRCODE = 'undefined_object';
	END IF;
	IF NOT pg_has_role(d.owner, 'MEMBER') THEN
		RAISE EXCEPTION 'must be owner of detector "%"', name USING ERRCODE = 'insufficient_privilege';
	END IF;
	RETURN d;
END
$$;
COMMENT ON FUNCTION snn_detector_own(text) IS
'internal: the detector row, locked, after checking that the caller owns it';

CREATE FUNCTION snn_detector_drop(name text)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = @extschema@, pg_catalog
AS $$
DECLARE
	d snn_detectors := snn_detector_own(name);
BEGIN
	DELETE FROM snn_detectors WHERE id = d.id;
	PERFORM snn_detector_discard(d.id, NULL);
	PERFORM snn_detector_invalidate();
END
$$;
COMMENT ON FUNCTION snn_detector_drop(text) IS
'drop a detector; its live state is discarded when the transaction commits (anomalies already recorded stay)';

CREATE FUNCTION snn_detector_reset(name text, key text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = @extschema@, pg_catalog
AS $$
DECLARE
	d snn_detectors := snn_detector_own(name);
BEGIN
	PERFORM snn_detector_discard(d.id, key);
	PERFORM snn_detector_invalidate();
END
$$;
COMMENT ON FUNCTION snn_detector_reset(text, text) IS
'forget what a detector learned, for one stream key or (NULL) all of them, when the transaction commits';

-- Freeze and unfreeze differ only in the flag they store.
CREATE FUNCTION snn_detector_set_frozen(name text, frozen boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = @extschema@, pg_catalog
AS $$
DECLARE
	d snn_detectors := snn_detector_own(name);
BEGIN
	UPDATE snn_detectors SET frozen = snn_detector_set_frozen.frozen WHERE id = d.id;
	PERFORM snn_detector_invalidate();
END
$$;
COMMENT ON FUNCTION snn_detector_set_frozen(text, boolean) IS
'internal: set the frozen flag of a detector the caller owns, for every session at commit';

CREATE FUNCTION snn_detector_freeze(name text)
RETURNS void
LANGUAGE sql VOLATILE STRICT
SET search_path = @extschema@, pg_catalog
AS $$ SELECT snn_detector_set_frozen(name, true) $$;
COMMENT ON FUNCTION snn_detector_freeze(text) IS
'stop online learning: the detector keeps scoring with what it has learned';

CREATE FUNCTION snn_detector_unfreeze(name text)
RETURNS void
LANGUAGE sql VOLATILE STRICT
SET search_path = @extschema@, pg_catalog
AS $$ SELECT snn_detector_set_frozen(name, false) $$;
COMMENT ON FUNCTION snn_detector_unfreeze(text) IS
'resume online learning of a frozen detector';

CREATE FUNCTION snn_anomaly_score(detector text, features float8[], key text DEFAULT '',
								  at timestamptz DEFAULT now())
RETURNS float8
AS 'MODULE_PATHNAME', 'snn_anomaly_score'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_anomaly_score(text, float8[], text, timestamptz) IS
'feed one event to a detector''s stream and return its anomaly score in [0, 1] (online, causal, learns unless frozen)';

CREATE FUNCTION snn_detect()
RETURNS trigger
AS 'MODULE_PATHNAME', 'snn_detect'
LANGUAGE C;
COMMENT ON FUNCTION snn_detect() IS
'AFTER INSERT trigger (row, or statement with REFERENCING NEW TABLE): snn_detect(detector, feature columns, key column, event id column, time column) scores each event and records anomalies';

CREATE FUNCTION snn_detector_save()
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_detector_save'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_save() IS
'write every detector stream''s state to pg_snn/detectors.state now (also done at shutdown); returns the streams written';
REVOKE ALL ON FUNCTION snn_detector_save() FROM PUBLIC;

CREATE FUNCTION snn_stat_detector_streams(
	OUT detector_id bigint, OUT stream_key text, OUT events bigint, OUT anomalies bigint,
	OUT score_sum float8, OUT last_event timestamptz, OUT last_anomaly timestamptz,
	OUT state_bytes bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'snn_stat_detector_streams'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_stat_detector_streams() IS
'one row per live stream of this database''s detectors (behind pg_stat_snn_detectors)';

CREATE VIEW pg_stat_snn_detector_streams AS
	SELECT d.name AS detector, s.stream_key, s.events, s.anomalies,
		   CASE WHEN s.events > 0 THEN s.score_sum / s.events END AS mean_score,
		   s.last_event, s.last_anomaly, s.state_bytes
	FROM snn_stat_detector_streams() s JOIN snn_detectors d ON d.id = s.detector_id;
COMMENT ON VIEW pg_stat_snn_detector_streams IS 'one row per live stream of each detector';

CREATE VIEW pg_stat_snn_detectors AS
	SELECT d.name AS detector, d.settings->>'preset' AS preset,
		   count(s.stream_key) AS streams,
		   coalesce(sum(s.events), 0)::bigint AS events,
		   coalesce(sum(s.anomalies), 0)::bigint AS anomalies,
		   CASE WHEN sum(s.events) > 0 THEN sum(s.score_sum) / sum(s.events) END AS mean_score,
		   max(s.last_event) AS last_event,
		   max(s.last_anomaly) AS last_anomaly,
		   coalesce(sum(s.state_bytes), 0)::bigint AS state_bytes,
		   NOT d.frozen AND (d.settings->>'learn_online')::float8 <> 0 AS learning
	FROM snn_detectors d LEFT JOIN snn_stat_detector_streams() s ON s.detector_id = d.id
	GROUP BY d.id, d.name, d.settings, d.frozen;
COMMENT ON VIEW pg_stat_snn_detectors IS 'one row per detector: streams, events, anomalies, mean score, last anomaly, state bytes, learning on or off';

GRANT SELECT ON pg_stat_snn_detectors, pg_stat_snn_detector_streams TO PUBLIC;
