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

CREATE FUNCTION snn_define_type(name text, config jsonb, pool_min integer DEFAULT 0,
								pool_max integer DEFAULT 1024, ttl interval DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_define_type'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_define_type(text, jsonb, integer, integer, interval) IS
'deprecated alias of snn_type_create; removed in 0.3.0';

CREATE FUNCTION snn_drop_type(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_drop_type'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_drop_type(text) IS
'deprecated alias of snn_type_drop; removed in 0.3.0';

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
'copy a network value into shared memory and return its id';

CREATE FUNCTION snn_load(net snn, tag text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_spawn_value'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_load(snn, text) IS
'deprecated alias of snn_spawn; removed in 0.3.0';

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
	OUT ttl_ms bigint, OUT train_epoch integer, OUT train_epochs integer,
	OUT train_loss float8)
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
		   n.created, n.last_used, n.bytes, n.infer_count, n.train_count, n.ttl_ms,
		   n.train_epoch, n.train_epochs, n.train_loss
	FROM snn_stat_networks() n
	LEFT JOIN pg_roles r ON r.oid = n.owner
	LEFT JOIN pg_database d ON d.oid = n.dbid;
COMMENT ON VIEW pg_stat_snn_networks IS 'one row per live network of the snn runtime, with the epoch and loss of its current or last training';

CREATE VIEW pg_stat_snn_lifecycle AS
	SELECT * FROM snn_stat_lifecycle();
COMMENT ON VIEW pg_stat_snn_lifecycle IS 'count and latency (mean, p50, p99 in microseconds) of spawn, train, infer, save and dispose per network type';

CREATE VIEW pg_stat_snn_memory AS
	SELECT * FROM snn_stat_memory();
COMMENT ON VIEW pg_stat_snn_memory IS 'shared memory of the snn runtime in bytes by category, total, limit and high-water mark';

GRANT SELECT ON pg_stat_snn_pools, pg_stat_snn_networks, pg_stat_snn_lifecycle,
	pg_stat_snn_memory TO PUBLIC;
