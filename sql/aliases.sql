-- The names 0.2.0 changed (doc/README.md, "Naming"): every old name is a
-- deprecated alias that gives what its new name gives, and none is more
-- open than its new name.

-- every alias of the extension: a function of the new name with the same
-- argument types, the same C symbol, kind, defaults and privileges
WITH ext AS (
	SELECT d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
	WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'snn'
	  AND d.classid = 'pg_proc'::regclass),
a AS (
	SELECT p.*, obj_description(p.oid, 'pg_proc') AS comment,
		   substring(obj_description(p.oid, 'pg_proc')
					 FROM '^deprecated alias of (\w+); removed in 0\.3\.0$') AS target_name
	FROM pg_proc p JOIN ext ON ext.objid = p.oid
	WHERE obj_description(p.oid, 'pg_proc') LIKE '%deprecated%')
SELECT a.oid::regprocedure AS alias, t.oid::regprocedure AS target,
	   a.prolang = t.prolang AND a.prosrc = t.prosrc AS same_code,
	   (a.prorettype, a.proretset, a.provolatile, a.proisstrict, a.proparallel, a.prosecdef)
		 = (t.prorettype, t.proretset, t.provolatile, t.proisstrict, t.proparallel, t.prosecdef)
		 AND a.proconfig IS NOT DISTINCT FROM t.proconfig AS same_kind,
	   a.proargnames IS NOT DISTINCT FROM t.proargnames
		 AND pg_get_expr(a.proargdefaults, 0) IS NOT DISTINCT FROM pg_get_expr(t.proargdefaults, 0) AS same_args,
	   a.proacl IS NOT DISTINCT FROM t.proacl AS same_acl
FROM a LEFT JOIN pg_proc t
  ON t.proname = a.target_name AND t.pronamespace = a.pronamespace AND t.proargtypes = a.proargtypes
ORDER BY 1::text;

-- a role with no grants may run an alias only where it may run the new name
CREATE ROLE snn_alias_hostile;
SELECT count(*) AS aliases,
	   count(*) FILTER (WHERE has_function_privilege('snn_alias_hostile', a.oid, 'EXECUTE')
						  AND NOT has_function_privilege('snn_alias_hostile', t.oid, 'EXECUTE')) AS more_open,
	   count(*) FILTER (WHERE has_function_privilege('snn_alias_hostile', a.oid, 'EXECUTE')
						  <> has_function_privilege('snn_alias_hostile', t.oid, 'EXECUTE')) AS different
FROM pg_proc a JOIN pg_proc t
  ON t.proname = substring(obj_description(a.oid, 'pg_proc') FROM '^deprecated alias of (\w+);')
 AND t.pronamespace = a.pronamespace AND t.proargtypes = a.proargtypes;
DROP ROLE snn_alias_hostile;

-- spikes_dims = spikes_neurons
SELECT p, spikes_dims(p) AS old, spikes_neurons(p) AS new
FROM (VALUES ('[_]'::spikes), ('[0,3,_,12]'), (NULL)) v(p)
ORDER BY 2;
SELECT spikes_dims(p) = spikes_neurons(p) AS same_at_the_limit
FROM (SELECT array_fill(7, ARRAY[65535])::spikes AS p) s;

-- snn_raster_svg = spiketrain_raster_svg, with defaults and with arguments
SELECT snn_raster_svg(t) = spiketrain_raster_svg(t) AS same_default,
	   snn_raster_svg(t, 400, 300, 'a & <b>') = spiketrain_raster_svg(t, 400, 300, 'a & <b>') AS same_args,
	   snn_raster_svg(NULL) IS NOT DISTINCT FROM spiketrain_raster_svg(NULL) AS same_null
FROM (SELECT '{neurons:3,steps:10,events:[0@1,2@5]}'::spiketrain AS t) s;
SELECT snn_raster_svg('{neurons:1,steps:1,events:[]}', 10, 10);   -- the same error as the new name
SELECT spiketrain_raster_svg('{neurons:1,steps:1,events:[]}', 10, 10);

-- snn_define_type and snn_drop_type = snn_type_create and snn_type_drop
SELECT snn_define_type('alias_old', '{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2}]}', 0, 3, '1 hour');
SELECT snn_type_create('alias_new', '{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2}]}', 0, 3, '1 hour');
SELECT count(DISTINCT (config, pool_min, pool_max, ttl)) AS kinds, count(*) AS types
FROM snn_network_types WHERE name IN ('alias_old', 'alias_new');
SELECT snn_define_type('alias_old', '{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2}]}', 4, 3);
SELECT snn_type_create('alias_new', '{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2}]}', 4, 3);
SELECT snn_drop_type('alias_new');
SELECT snn_type_drop('alias_old');
SELECT snn_drop_type('alias_new');
SELECT snn_type_drop('alias_old');
SELECT count(*) AS left_over FROM snn_network_types WHERE name IN ('alias_old', 'alias_new');

-- snn_load = snn_spawn(snn, text): the same network, state and tag
CREATE TEMP TABLE alias_net AS
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 3}], "seed": 5}') AS net;
CREATE TEMP TABLE alias_ids AS
SELECT snn_load(net, 'by alias') AS old_id, snn_spawn(net, 'by name') AS new_id FROM alias_net;
SELECT snn_save(old_id)::text = snn_save(new_id)::text AS same_network,
	   snn_save(old_id)::text = (SELECT net::text FROM alias_net) AS the_value
FROM alias_ids;
SELECT n.tag, n.state, n.type FROM pg_stat_snn_networks n, alias_ids i
WHERE n.id IN (i.old_id, i.new_id) ORDER BY n.tag;
SELECT snn_dispose(old_id), snn_dispose(new_id) FROM alias_ids;
