-- snn install script, part 80: scale-out over postgres_fdw shards.
--
-- A partitioned table whose partitions are foreign tables on other servers.
-- Nearest-pattern search and allocation fan out to every partition with
-- ORDER BY pattern <-> $1 LIMIT k each (postgres_fdw ships the operator when
-- the server lists snn in its extensions option) and merge the candidates.
-- Every statement built here names objects schema-qualified with format('%I')
-- and the functions run under a fixed search_path.

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
