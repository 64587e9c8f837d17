-- snn upgrade from 0.1.0 to 0.2.0: every change of the SQL surface between
-- the frozen sql/snn--0.1.0.sql and the fragments of sql/install/ at 0.2.0.
-- test/t/120_upgrade.pl compares an upgraded database with a fresh install
-- object by object, so a change missing here fails that test.
\echo Use "ALTER EXTENSION snn UPDATE TO '0.2.0'" to load this file. \quit

-- ==== spikes: assignment casts from smallint[] and bigint[] (int[] had one)
CREATE FUNCTION spikes_from_smallint_array(smallint[], integer, boolean) RETURNS spikes
	AS 'MODULE_PATHNAME', 'spikes_from_int_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_from_smallint_array(smallint[], integer, boolean) IS 'cast smallint[] to spikes: element i is neuron i''s step 0..254, NULL for silent';

CREATE FUNCTION spikes_from_bigint_array(bigint[], integer, boolean) RETURNS spikes
	AS 'MODULE_PATHNAME', 'spikes_from_int_array' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_from_bigint_array(bigint[], integer, boolean) IS 'cast bigint[] to spikes: element i is neuron i''s step 0..254, NULL for silent';

CREATE CAST (smallint[] AS spikes) WITH FUNCTION spikes_from_smallint_array(smallint[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (bigint[] AS spikes) WITH FUNCTION spikes_from_bigint_array(bigint[], integer, boolean) AS ASSIGNMENT;

-- ==== snn: type category S, so that an untyped value (a client's unknown
-- parameter, a literal) resolves to the snn overload and not to the bigint
-- network id one.  CREATE TYPE sets the category; ALTER TYPE cannot.
UPDATE pg_catalog.pg_type SET typcategory = 'S'
WHERE oid = '@extschema@.snn'::pg_catalog.regtype;

-- ==== training and inference: features as double precision[] (real[] still
-- converts implicitly) and one snn_train whose labels are any integer array
-- (classes), any real array (ridge targets) or an untyped NULL
DROP FUNCTION snn_train(snn, real[], integer[], text, jsonb);
DROP FUNCTION snn_train(snn, real[], real[], text, jsonb);
DROP FUNCTION snn_infer(snn, real[]);
DROP FUNCTION snn_predict(snn, real[]);
DROP FUNCTION snn_infer_batch(snn, real[]);
DROP FUNCTION snn_predict_batch(snn, real[]);
DROP FUNCTION snn_energy(snn, real[]);
DROP FUNCTION snn_predict_rate(snn, real[]);
DROP FUNCTION snn_predict_values(snn, real[]);
DROP FUNCTION snn_infer(bigint, real[]);
DROP FUNCTION snn_predict(bigint, real[]);
DROP FUNCTION snn_train(bigint, real[], integer[], text, jsonb);

CREATE FUNCTION snn_train(net snn, inputs float8[], labels anycompatiblearray, method text,
						  options jsonb DEFAULT '{}') RETURNS snn
	AS 'MODULE_PATHNAME', 'snn_train' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION snn_train(snn, float8[], anycompatiblearray, text, jsonb) IS 'train a copy of a network on samples (rows of inputs) and labels with method backprop, ridge, stdp or hebbian; labels are classes (smallint[], integer[] or bigint[]), real targets for ridge (real[], double precision[] or numeric[]: one a sample, or one row a sample), or NULL for stdp and hebbian; options as jsonb; returns the trained network with its training history';

CREATE FUNCTION snn_infer(net snn, features float8[],
		OUT predicted integer, OUT spikes spikes, OUT confidence double precision,
		OUT layer_spikes integer[], OUT steps integer, OUT synaptic_ops bigint,
		OUT neuron_updates bigint, OUT microseconds double precision)
	AS 'MODULE_PATHNAME', 'snn_infer' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_infer(snn, float8[]) IS 'run a trained network on one sample: the predicted class (first output neuron to fire), output spike times, confidence (margin to the runner-up), spikes per layer, steps, synaptic operations, neuron updates and microseconds';

CREATE FUNCTION snn_predict(net snn, features float8[]) RETURNS integer
	AS 'MODULE_PATHNAME', 'snn_predict' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict(snn, float8[]) IS 'the class a trained network predicts for one sample (first output neuron to fire); NULL when no labelled output fires';

CREATE FUNCTION snn_infer_batch(net snn, features float8[],
		OUT row_number integer, OUT predicted integer, OUT spikes spikes,
		OUT confidence double precision, OUT layer_spikes integer[], OUT steps integer,
		OUT synaptic_ops bigint, OUT neuron_updates bigint, OUT microseconds double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'snn_infer_batch' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_infer_batch(snn, float8[]) IS 'snn_infer on every row of a two-dimensional features array, preparing the network once; one result row per sample, numbered from 1';

CREATE FUNCTION snn_predict_batch(net snn, features float8[]) RETURNS integer[]
	AS 'MODULE_PATHNAME', 'snn_predict_batch' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_batch(snn, float8[]) IS 'the predicted classes of every row of a two-dimensional features array, in row order, preparing the network once';

CREATE FUNCTION snn_energy(net snn, features float8[])
	RETURNS TABLE (platform text, synaptic_ops bigint, neuron_updates bigint,
				   energy_nj double precision, ann_equivalent_nj double precision,
				   source text)
	AS 'MODULE_PATHNAME', 'snn_energy' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_energy(snn, float8[]) IS 'estimated energy of one inference on Loihi, TrueNorth, SpiNNaker and a 45 nm CPU from published per-operation energies (estimates, see the README), beside the equivalent rate network''s multiply-accumulates';

CREATE FUNCTION snn_predict_rate(net snn, features float8[]) RETURNS integer
	AS 'MODULE_PATHNAME', 'snn_predict_rate' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_rate(snn, float8[]) IS 'the class the rate (ReLU) network behind a backprop-trained network predicts, to compare with the converted spiking network';

CREATE FUNCTION snn_predict_values(net snn, features float8[]) RETURNS real[]
	AS 'MODULE_PATHNAME', 'snn_predict_values' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_values(snn, float8[]) IS 'the read-out values of a ridge-trained reservoir for one sample: regression outputs, or one score a class';

CREATE FUNCTION snn_infer(id bigint, features float8[],
		OUT predicted integer, OUT spikes spikes, OUT confidence double precision,
		OUT layer_spikes integer[], OUT steps integer, OUT synaptic_ops bigint,
		OUT neuron_updates bigint, OUT microseconds double precision)
RETURNS record
AS 'MODULE_PATHNAME', 'snn_infer_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_infer(bigint, float8[]) IS
'snn_infer(snn, float8[]) on a live network, handed its image in shared memory in place; any number of sessions at once';

CREATE FUNCTION snn_predict(id bigint, features float8[])
RETURNS integer
AS 'MODULE_PATHNAME', 'snn_predict_id'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_predict(bigint, float8[]) IS
'snn_predict(snn, float8[]) on a live network: the predicted class (counted as infer)';

CREATE FUNCTION snn_train(id bigint, inputs float8[], labels anycompatiblearray, method text,
						  options jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_train_id'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_train(bigint, float8[], anycompatiblearray, text, jsonb) IS
'snn_train(snn, ...) on a copy of a live network, swapped in when it succeeds (an error or cancel leaves the old weights); returns the id';


-- ==== pg_stat_snn_networks: epoch and loss of the current or last training
-- (new OUT columns of snn_stat_networks, so the view and the function are
-- dropped and made again; privileges granted on the view by users are lost)
DROP VIEW pg_stat_snn_networks;
DROP FUNCTION snn_stat_networks();
CREATE FUNCTION snn_stat_networks(
	OUT id bigint, OUT owner oid, OUT type text, OUT dbid oid, OUT tag text,
	OUT state text, OUT created timestamptz, OUT last_used timestamptz,
	OUT bytes bigint, OUT infer_count bigint, OUT train_count bigint,
	OUT ttl_ms bigint, OUT train_epoch integer, OUT train_epochs integer,
	OUT train_loss float8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'snn_stat_networks'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_stat_networks() IS
'one row per live network (behind pg_stat_snn_networks)';

CREATE VIEW pg_stat_snn_networks AS
	SELECT n.id, r.rolname AS owner, n.type, d.datname, n.tag, n.state,
		   n.created, n.last_used, n.bytes, n.infer_count, n.train_count, n.ttl_ms,
		   n.train_epoch, n.train_epochs, n.train_loss
	FROM snn_stat_networks() n
	LEFT JOIN pg_roles r ON r.oid = n.owner
	LEFT JOIN pg_database d ON d.oid = n.dbid;
COMMENT ON VIEW pg_stat_snn_networks IS 'one row per live network of the snn runtime, with the epoch and loss of its current or last training';
GRANT SELECT ON pg_stat_snn_networks TO PUBLIC;

-- ==== streams: internals revoked from PUBLIC; detector management in C
-- (ownership checked as the caller, the table changed as the extension's
-- owner); pg_stat_snn_detectors shows the owner
REVOKE ALL ON FUNCTION snn_detector_new_id() FROM PUBLIC;
REVOKE ALL ON FUNCTION snn_detector_invalidate() FROM PUBLIC;
REVOKE ALL ON FUNCTION snn_detector_discard(bigint, text) FROM PUBLIC;
DROP FUNCTION snn_detector_freeze(text);
DROP FUNCTION snn_detector_unfreeze(text);
DROP FUNCTION snn_detector_set_frozen(text, boolean);
DROP FUNCTION snn_detector_reset(text, text);
DROP FUNCTION snn_detector_drop(text);
DROP FUNCTION snn_detector_own(text);
DROP FUNCTION snn_detector_create(text, jsonb);

CREATE FUNCTION snn_detector_create(name text, config jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_detector_create'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_create(text, jsonb) IS
'create a named anomaly detector owned by the caller from a jsonb configuration (preset, seed, threshold, encoder, reservoir, learning, scoring); returns its id';

CREATE FUNCTION snn_detector_drop(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_drop'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_drop(text) IS
'drop a detector the caller owns; its live state is discarded when the transaction commits (anomalies already recorded stay)';

CREATE FUNCTION snn_detector_reset(name text, key text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_reset'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_reset(text, text) IS
'forget what a detector the caller owns learned, for one stream key or (NULL) all of them, when the transaction commits';

CREATE FUNCTION snn_detector_freeze(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_freeze'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_freeze(text) IS
'stop online learning of a detector the caller owns: it keeps scoring with what it has learned';

CREATE FUNCTION snn_detector_unfreeze(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_unfreeze'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_unfreeze(text) IS
'resume online learning of a frozen detector the caller owns';

COMMENT ON FUNCTION snn_anomaly_score(text, float8[], text, timestamptz) IS
'feed one event to a stream of a detector the caller owns and return its anomaly score in [0, 1] (online, causal, learns unless frozen)';

CREATE OR REPLACE VIEW pg_stat_snn_detectors AS
	SELECT d.name AS detector, d.settings->>'preset' AS preset,
		   count(s.detector_id) AS streams,
		   coalesce(sum(s.events), 0)::bigint AS events,
		   coalesce(sum(s.anomalies), 0)::bigint AS anomalies,
		   CASE WHEN sum(s.events) > 0 THEN sum(s.score_sum) / sum(s.events) END AS mean_score,
		   max(s.last_event) AS last_event,
		   max(s.last_anomaly) AS last_anomaly,
		   coalesce(sum(s.state_bytes), 0)::bigint AS state_bytes,
		   NOT d.frozen AND (d.settings->>'learn_online')::float8 <> 0 AS learning,
		   d.owner
	FROM snn_detectors d LEFT JOIN snn_stat_detector_streams() s ON s.detector_id = d.id
	GROUP BY d.id, d.name, d.settings, d.frozen, d.owner;
COMMENT ON VIEW pg_stat_snn_detectors IS 'one row per detector: streams, events, anomalies, mean score, last anomaly, state bytes, learning on or off, owner (whose snn.detector_max_streams its streams count against)';

-- ==== pg_stat_snn_detector_streams: other roles' stream keys are NULL (in C)
COMMENT ON VIEW pg_stat_snn_detector_streams IS 'one row per live stream of each detector; stream_key is NULL unless you have the privileges of the detector''s owner or of pg_read_all_stats';
