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

-- length coercion to spikes(n), and casts to and from integer arrays.  The
-- casts from smallint[], int[] and bigint[] (what client libraries send for
-- a list of integers: psycopg picks the smallest type that holds them) are
-- assignment casts, so INSERT and UPDATE need no cast; they cannot be
-- implicit, which would make int[] = int[] ambiguous with spikes = spikes.

CREATE FUNCTION spikes(spikes, integer, boolean) RETURNS spikes
	AS 'MODULE_PATHNAME', 'spikes_coerce' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes(spikes, integer, boolean) IS 'length coercion of spikes to spikes(n): errors unless the neuron count is n';

CREATE FUNCTION spikes_from_int_array(integer[], integer, boolean) RETURNS spikes
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_from_int_array(integer[], integer, boolean) IS 'cast int[] to spikes: element i is neuron i''s step 0..254, NULL for silent';

CREATE FUNCTION spikes_from_smallint_array(smallint[], integer, boolean) RETURNS spikes
	AS 'MODULE_PATHNAME', 'spikes_from_int_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_from_smallint_array(smallint[], integer, boolean) IS 'cast smallint[] to spikes: element i is neuron i''s step 0..254, NULL for silent';

CREATE FUNCTION spikes_from_bigint_array(bigint[], integer, boolean) RETURNS spikes
	AS 'MODULE_PATHNAME', 'spikes_from_int_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_from_bigint_array(bigint[], integer, boolean) IS 'cast bigint[] to spikes: element i is neuron i''s step 0..254, NULL for silent';

CREATE FUNCTION spikes_to_int_array(spikes) RETURNS integer[]
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_to_int_array(spikes) IS 'cast spikes to int[]: one element a neuron, NULL for a silent neuron';

CREATE CAST (spikes AS spikes) WITH FUNCTION spikes(spikes, integer, boolean) AS IMPLICIT;
CREATE CAST (integer[] AS spikes) WITH FUNCTION spikes_from_int_array(integer[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (smallint[] AS spikes) WITH FUNCTION spikes_from_smallint_array(smallint[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (bigint[] AS spikes) WITH FUNCTION spikes_from_bigint_array(bigint[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (spikes AS integer[]) WITH FUNCTION spikes_to_int_array(spikes) AS ASSIGNMENT;

-- accessors (neurons are numbered from 0)

CREATE FUNCTION spikes_neurons(spikes) RETURNS integer
	AS 'MODULE_PATHNAME', 'spikes_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_neurons(spikes) IS 'number of neurons of a spikes pattern';

CREATE FUNCTION spikes_dims(spikes) RETURNS integer
	AS 'MODULE_PATHNAME', 'spikes_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_dims(spikes) IS 'deprecated alias of spikes_neurons; removed in 0.3.0';

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
