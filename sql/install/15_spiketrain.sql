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
