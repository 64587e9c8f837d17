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
-- converts implicitly), snn_predict_values returns double precision[], and
-- one snn_train whose labels are any integer array (classes), any real
-- array (ridge targets) or an untyped NULL
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

CREATE FUNCTION snn_predict_values(net snn, features float8[]) RETURNS float8[]
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

-- ==== streams: a detector's learned state as a value (export and import)
CREATE FUNCTION snn_detector_export(name text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'snn_detector_export'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_export(text) IS
'the learned state of every live stream of a detector (keys, statistics, reservoir, readout, memories) as one checksummed value, for snn_detector_import; owner only';

CREATE FUNCTION snn_detector_import(name text, state bytea, replace boolean DEFAULT false)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_detector_import'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_import(text, bytea, boolean) IS
'install the streams of a snn_detector_export value into a detector of the same configuration and seed (replace: overwrite live streams of the same keys); returns the streams installed; owner only';

-- ==== scale-out over postgres_fdw shards (new in 0.2.0: sql/install/80_shard.sql as is)
CREATE FUNCTION snn_wta_winner(distances float8[], vigilance float8)
RETURNS integer
AS 'MODULE_PATHNAME', 'snn_wta_winner'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_wta_winner(float8[], float8) IS
'the winner-take-all layer of snn_allocate over given candidate distances: the 1-based position of the candidate that fires first, NULL when none is within vigilance';

CREATE FUNCTION snn_shard_knn_query(parent regclass, k integer DEFAULT 10,
									pattern_column name DEFAULT 'pattern',
									key_column name DEFAULT 'id')
RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	leaf regclass;
	col name;
	parts text[] := '{}';
	op text := format('OPERATOR(%I.<->)', '@extschema@');
BEGIN
	IF k < 1 OR k > 1000 THEN
		RAISE EXCEPTION 'k must be between 1 and 1000, not %', k
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = parent AND relkind = 'p') THEN
		RAISE EXCEPTION '"%" is not a partitioned table', parent
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Create it with PARTITION BY and attach the shards with snn_shard_attach.';
	END IF;
	FOREACH col IN ARRAY ARRAY[pattern_column, key_column] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_attribute
					   WHERE attrelid = parent AND attname = col AND attnum > 0 AND NOT attisdropped) THEN
			RAISE EXCEPTION 'column "%" of relation "%" does not exist', col, parent
				USING ERRCODE = 'undefined_column';
		END IF;
	END LOOP;
	FOR leaf IN SELECT t.relid FROM pg_partition_tree(parent) t WHERE t.isleaf ORDER BY t.relid LOOP
		parts := parts || format(
			'(SELECT %s::pg_catalog.oid::pg_catalog.regclass AS shard, (%I)::pg_catalog.int8 AS key, %I %s $1 AS distance '
			'FROM %I.%I WHERE %I IS NOT NULL ORDER BY %I %s $1 LIMIT %s)',
			leaf::oid, key_column, pattern_column, op,
			(SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = leaf),
			(SELECT c.relname FROM pg_class c WHERE c.oid = leaf),
			pattern_column, pattern_column, op, k);
	END LOOP;
	IF cardinality(parts) = 0 THEN
		RETURN format('SELECT NULL::pg_catalog.regclass AS shard, NULL::pg_catalog.int8 AS key, '
					  'NULL::pg_catalog.float8 AS distance WHERE $1 IS NULL AND false');
	END IF;
	-- The materialised CTE is planned without a wanted order, so the union is
	-- an Append (async over foreign tables) rather than a Merge Append, and
	-- each branch keeps its own LIMIT, which postgres_fdw ships.
	RETURN format('WITH c AS MATERIALIZED (%s) SELECT c.shard, c.key, c.distance FROM c '
				  'ORDER BY c.distance, c.key LIMIT %s',
				  array_to_string(parts, ' UNION ALL '), k);
END
$$;
COMMENT ON FUNCTION snn_shard_knn_query(regclass, integer, name, name) IS
'the statement snn_shard_knn runs (parameter $1: the query pattern): one ORDER BY <-> LIMIT k branch a partition, appended, merged by distance; for EXPLAIN';

CREATE FUNCTION snn_shard_knn(parent regclass, pattern spikes, k integer DEFAULT 10,
							  pattern_column name DEFAULT 'pattern',
							  key_column name DEFAULT 'id',
							  OUT shard regclass, OUT key bigint, OUT distance float8)
RETURNS SETOF record
LANGUAGE plpgsql STABLE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY EXECUTE @extschema@.snn_shard_knn_query(parent, k, pattern_column, key_column)
		USING pattern;
END
$$;
COMMENT ON FUNCTION snn_shard_knn(regclass, spikes, integer, name, name) IS
'the k rows nearest to a pattern over every partition of a partitioned table (foreign partitions search on their servers, concurrently): partition, key and distance, nearest first';

CREATE SEQUENCE _shard_generation;
COMMENT ON SEQUENCE _shard_generation IS
'internal: bumped by snn_shard_allocate each time it creates a row, so that a concurrent allocation can tell that its shards'' snapshot may predate the new row';
GRANT SELECT, USAGE ON SEQUENCE _shard_generation TO PUBLIC;

CREATE FUNCTION snn_shard_allocate(parent regclass, pattern spikes, vigilance float8,
								   k integer DEFAULT 16, pattern_column name DEFAULT 'pattern',
								   key_column name DEFAULT 'id',
								   OUT shard regclass, OUT key bigint, OUT distance float8,
								   OUT created boolean)
RETURNS record
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	shards regclass[];
	keys bigint[];
	dists float8[];
	w integer;
	anchor text := pg_catalog.current_setting('snn_shard.generation', true);
	gen bigint;
BEGIN
	IF anchor IS NULL OR anchor OPERATOR(pg_catalog.=) '' THEN
		-- the transaction's first allocation, before the shards' snapshot:
		-- count the creations so far, then let those in flight commit
		SELECT CASE WHEN g.is_called THEN g.last_value ELSE g.last_value OPERATOR(pg_catalog.-) 1 END
		  INTO gen FROM @extschema@._shard_generation g;
		PERFORM pg_catalog.pg_advisory_lock(1397640769, 0);
		PERFORM pg_catalog.pg_advisory_unlock(1397640769, 0);
		PERFORM pg_catalog.set_config('snn_shard.generation', gen::text, true);
	ELSE
		gen := anchor::pg_catalog.int8;
	END IF;
	SELECT pg_catalog.array_agg(c.shard ORDER BY c.o), pg_catalog.array_agg(c.key ORDER BY c.o),
		   coalesce(pg_catalog.array_agg(c.distance ORDER BY c.o), '{}')
	  INTO shards, keys, dists
	  FROM @extschema@.snn_shard_knn(parent, pattern, k, pattern_column, key_column)
		   WITH ORDINALITY c(shard, key, distance, o);
	w := @extschema@.snn_wta_winner(dists, vigilance);
	IF w IS NOT NULL THEN
		shard := shards[w];
		key := keys[w];
		distance := dists[w];
		created := false;
		RETURN;
	END IF;
	-- creation: one at a time per table (snn_allocate's lock) and counted;
	-- the shards' snapshot cannot be renewed inside this transaction, so a
	-- count another session moved since it was taken means retry, not a twin
	PERFORM pg_catalog.pg_advisory_xact_lock(parent::oid::integer, 1397640769);
	PERFORM pg_catalog.pg_advisory_xact_lock_shared(1397640769, 0);
	IF pg_catalog.nextval('@extschema@._shard_generation') OPERATOR(pg_catalog.<>) (gen OPERATOR(pg_catalog.+) 1) THEN
		RAISE EXCEPTION 'could not allocate: a concurrent snn_shard_allocate created a row after this transaction searched the shards'
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction; the retry sees the new row.';
	END IF;
	PERFORM pg_catalog.set_config('snn_shard.generation', (gen OPERATOR(pg_catalog.+) 1)::text, true);
	EXECUTE format('INSERT INTO %I.%I (%I) VALUES ($1) RETURNING tableoid::pg_catalog.regclass, (%I)::pg_catalog.int8',
				   (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent),
				   (SELECT c.relname FROM pg_class c WHERE c.oid = parent),
				   pattern_column, key_column)
		INTO shard, key USING pattern;
	IF key IS NULL THEN
		RAISE EXCEPTION 'key column "%" of the new row is NULL', key_column
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Give the key column a default, e.g. bigserial.';
	END IF;
	distance := 0;
	created := true;
END
$$;
COMMENT ON FUNCTION snn_shard_allocate(regclass, spikes, float8, integer, name, name) IS
'snn_allocate over a partitioned (sharded) table: the k nearest rows of every partition, merged, compete in the winner-take-all layer; with no candidate within vigilance a new row is inserted through the parent (routed to its partition); returns the partition, key, distance and whether the row was created';

CREATE FUNCTION snn_shard_create(server name, host text, port integer, dbname text,
								 remote_user text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF server IS NULL OR host IS NULL OR port IS NULL OR dbname IS NULL THEN
		RAISE EXCEPTION 'server, host, port and dbname must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF port < 1 OR port > 65535 THEN
		RAISE EXCEPTION 'port must be between 1 and 65535, not %', port
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_foreign_data_wrapper WHERE fdwname = 'postgres_fdw') THEN
		RAISE EXCEPTION 'foreign-data wrapper "postgres_fdw" does not exist'
			USING ERRCODE = 'undefined_object',
				  HINT = 'Run CREATE EXTENSION postgres_fdw first.';
	END IF;
	EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw OPTIONS '
				   '(host %L, port %L, dbname %L, extensions %L, async_capable %L)',
				   server, host, port::text, dbname, 'snn', 'true');
	IF remote_user IS NULL THEN
		EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I', server);
	ELSE
		EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (user %L)',
					   server, remote_user);
	END IF;
END
$$;
COMMENT ON FUNCTION snn_shard_create(name, text, integer, text, text) IS
'create a postgres_fdw server for a shard (extensions ''snn'' so <-> ships, async_capable so shards search concurrently) and a user mapping for the current user';
REVOKE ALL ON FUNCTION snn_shard_create(name, text, integer, text, text) FROM PUBLIC;

CREATE FUNCTION snn_shard_attach(parent regclass, servers name[],
								 remote_schema name DEFAULT 'public',
								 remote_table name DEFAULT NULL)
RETURNS SETOF regclass
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	nsp name;
	rel name;
	n integer := cardinality(servers);
	part regclass;
BEGIN
	IF parent IS NULL OR servers IS NULL OR remote_schema IS NULL THEN
		RAISE EXCEPTION 'parent, servers and remote_schema must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT n2.nspname, c.relname INTO nsp, rel
	  FROM pg_class c JOIN pg_namespace n2 ON n2.oid = c.relnamespace
	  JOIN pg_partitioned_table p ON p.partrelid = c.oid
	 WHERE c.oid = parent AND p.partstrat = 'h';
	IF NOT FOUND THEN
		RAISE EXCEPTION '"%" is not a hash-partitioned table', parent
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Create it with PARTITION BY HASH (key column).';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_inherits WHERE inhparent = parent) THEN
		RAISE EXCEPTION '"%" already has partitions', parent
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF n IS NULL OR n < 1 OR array_position(servers, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'servers must name at least one server and no NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR i IN 1 .. n LOOP
		EXECUTE format('CREATE FOREIGN TABLE %I.%I PARTITION OF %I.%I '
					   'FOR VALUES WITH (MODULUS %s, REMAINDER %s) SERVER %I '
					   'OPTIONS (schema_name %L, table_name %L)',
					   nsp, rel || '_shard_' || i, nsp, rel, n, i - 1, servers[i],
					   remote_schema, coalesce(remote_table, rel));
		part := format('%I.%I', nsp, rel || '_shard_' || i)::regclass;
		RETURN NEXT part;
	END LOOP;
END
$$;
COMMENT ON FUNCTION snn_shard_attach(regclass, name[], name, name) IS
'attach one foreign partition a server to a hash-partitioned table (partition i holds remainder i-1 of the key''s hash), each reading the same-named table on its shard; returns the partitions';
REVOKE ALL ON FUNCTION snn_shard_attach(regclass, name[], name, name) FROM PUBLIC;

-- ==== pg_stat_snn_detector_streams: other roles' stream keys are NULL (in C)
COMMENT ON VIEW pg_stat_snn_detector_streams IS 'one row per live stream of each detector; stream_key is NULL unless you have the privileges of the detector''s owner or of pg_read_all_stats';

-- ==== one naming convention (doc/README.md, "Naming"): the new names are
-- the functions, on the same C symbols; the 0.1.0 names stay as deprecated
-- aliases (same signature, C symbol, volatility and grants) until 0.3.0
CREATE FUNCTION spikes_neurons(spikes) RETURNS integer
	AS 'MODULE_PATHNAME', 'spikes_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION spikes_neurons(spikes) IS 'number of neurons of a spikes pattern';
COMMENT ON FUNCTION spikes_dims(spikes) IS 'deprecated alias of spikes_neurons; removed in 0.3.0';

CREATE FUNCTION spiketrain_raster_svg(train spiketrain, width integer DEFAULT 1000,
									  height integer DEFAULT 600, title text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'snn_raster_svg' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_raster_svg(spiketrain, integer, integer, text) IS 'raster plot of a spike train as SVG: neurons on y, steps on x, the title escaped';
COMMENT ON FUNCTION snn_raster_svg(spiketrain, integer, integer, text) IS 'deprecated alias of spiketrain_raster_svg; removed in 0.3.0';

CREATE FUNCTION snn_type_create(name text, config jsonb, pool_min integer DEFAULT 0,
								pool_max integer DEFAULT 1024, ttl interval DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_define_type'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_type_create(text, jsonb, integer, integer, interval) IS
'create or replace a network type: snn_create(config) is its template, pool_min ready networks are kept, at most pool_max alive, networks idle longer than ttl are disposed of';

CREATE FUNCTION snn_type_drop(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_drop_type'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_type_drop(text) IS
'drop a network type and its pool; networks already spawned from it live on';

COMMENT ON FUNCTION snn_define_type(text, jsonb, integer, integer, interval) IS
'deprecated alias of snn_type_create; removed in 0.3.0';
COMMENT ON FUNCTION snn_drop_type(text) IS
'deprecated alias of snn_type_drop; removed in 0.3.0';

COMMENT ON FUNCTION snn_spawn(snn, text) IS
'copy a network value into shared memory and return its id';
COMMENT ON FUNCTION snn_load(snn, text) IS
'deprecated alias of snn_spawn; removed in 0.3.0';
