# Upgrades: install 0.1.0 (the frozen script, with today's snn.so), create
# one object of every kind users keep (patterns with an snn_hnsw index, a
# network value, a runtime type and network, a detector fed by a trigger),
# ALTER EXTENSION snn UPDATE, use every object again, and compare a complete
# description of the extension's objects with a fresh install: a change of
# sql/install/ missing from the upgrade script shows as a diff here.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'snn'
TimeZone = 'UTC'
});
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE a');
$node->safe_psql('postgres', 'CREATE DATABASE b');

# ---- 0.1.0 in db a, with one object of each kind
$node->safe_psql('a', "CREATE EXTENSION snn VERSION '0.1.0'");
is($node->safe_psql('a', "SELECT extversion FROM pg_extension WHERE extname = 'snn'"),
	'0.1.0', 'the 0.1.0 script installs with the current library');

my $ff = '{"kind": "feedforward", "inputs": 2, "seed": 3, "layers": [{"size": 8}, {"size": 2}]}';
my $xor = q{ARRAY[[0, 0], [0, 1], [1, 0], [1, 1]]::real[]};
my $opts = q{'{"epochs": 300, "patience": 300, "validation_split": 0, "seed": 7}'};
$node->safe_psql('a', qq{
	CREATE TABLE facts (id bigserial PRIMARY KEY, pattern spikes(4));
	INSERT INTO facts (pattern) SELECT ARRAY[i % 7, i % 11, i % 13, i % 17]::int[]
		FROM generate_series(1, 500) i;
	CREATE INDEX facts_hnsw ON facts USING snn_hnsw (pattern spikes_l2_ops);
	CREATE TABLE nets (name text PRIMARY KEY, net snn);
	INSERT INTO nets SELECT 'xor', snn_train(snn_create('$ff'), $xor,
		ARRAY[0, 1, 1, 0], 'backprop', $opts);
	SELECT snn_define_type('ff', '$ff', 0, 4);
	CREATE TABLE live (id bigint);
	INSERT INTO live SELECT snn_spawn('ff');
	SELECT snn_train(id, $xor, ARRAY[0, 1, 1, 0], 'backprop', $opts) FROM live;
	SELECT snn_detector_create('d', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}');
	CREATE TABLE ev (id int, k text, v float8, at timestamptz);
	CREATE TRIGGER det AFTER INSERT ON ev REFERENCING NEW TABLE AS new FOR EACH STATEMENT
		EXECUTE FUNCTION snn_detect('d', 'v', 'k', 'id', 'at');
	INSERT INTO ev SELECT i, 'a', 10 + sin(i / 8.0), timestamptz '2024-01-01' + i * interval '1 min'
		FROM generate_series(1, 300) i;
});

my $knn = q{SELECT string_agg(id::text, ',' ORDER BY d, id) FROM
	(SELECT id, pattern <-> '[3,4,5,6]' AS d FROM facts ORDER BY pattern <-> '[3,4,5,6]' LIMIT 5) s};
my $samples = q{(VALUES (1, ARRAY[0, 0]::real[]), (2, ARRAY[0, 1]::real[]),
	(3, ARRAY[1, 0]::real[]), (4, ARRAY[1, 1]::real[])) u(i, f)};
my $predict_value = qq{SELECT string_agg(coalesce(snn_predict(net, f)::text, '-'), ',' ORDER BY i)
	FROM nets, $samples};
my $predict_live = qq{SELECT string_agg(coalesce(snn_predict(l.id, u.f)::text, '-'), ',' ORDER BY u.i)
	FROM live l, $samples};
my $events = q{SELECT events FROM pg_stat_snn_detector_streams WHERE detector = 'd' AND stream_key = 'a'};

my $knn_before = $node->safe_psql('a', $knn);
my $value_before = $node->safe_psql('a', $predict_value);
my $live_before = $node->safe_psql('a', $predict_live);
is($node->safe_psql('a', $events), '300', 'the detector scored 300 events under 0.1.0');
is($node->safe_psql('a', 'SELECT count(*), sum(train_count) FROM pg_stat_snn_networks'), '1|1',
	'the 0.1.0 monitoring view reads the current library');

# ---- the upgrade
$node->safe_psql('a', "ALTER EXTENSION snn UPDATE TO '0.2.0'");
is($node->safe_psql('a', "SELECT extversion FROM pg_extension WHERE extname = 'snn'"),
	'0.2.0', 'ALTER EXTENSION snn UPDATE reaches 0.2.0');

# ---- every object still works
like($node->safe_psql('a', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) $knn"),
	qr/Index Scan using facts_hnsw/, 'the snn_hnsw index is still used');
is($node->safe_psql('a', $knn), $knn_before, 'the same nearest patterns after the upgrade');
$node->safe_psql('a', q{INSERT INTO facts (pattern) VALUES (ARRAY[3, 4, 5, 6]::smallint[])});
like($node->safe_psql('a', $knn), qr/^501,/, 'an insert after the upgrade is found through the index');
is($node->safe_psql('a', $predict_value), $value_before, 'the stored network predicts as before');
is($node->safe_psql('a', $predict_live), $live_before, 'the live network predicts as before');
is($node->safe_psql('a', q{SELECT snn_predict(net, ARRAY[0, 1]) = snn_predict(net, ARRAY[0, 1]::real[]) FROM nets}),
	't', 'the new double precision[] signature serves the old network');
like($node->safe_psql('a', qq{SELECT snn_train(id, $xor, ARRAY[0, 1, 1, 0]::smallint[], 'backprop', '{"epochs": 5}')
	= id FROM live}), qr/^t$/, 'the live network trains with the 0.2.0 signature');
$node->safe_psql('a', q{INSERT INTO ev SELECT i, 'a', 10 + sin(i / 8.0) + CASE WHEN i = 380 THEN 60 ELSE 0 END,
	timestamptz '2024-01-01' + i * interval '1 min' FROM generate_series(301, 400) i});
is($node->safe_psql('a', $events), '400', 'the detector continues its stream through the trigger (300 + 100 events)');
ok($node->safe_psql('a', q{SELECT count(*) FROM snn_anomalies WHERE event_id = '380'}) >= 1,
	'the trigger still records an anomaly after the upgrade');
is($node->safe_psql('a', q{SELECT snn_dispose(snn_spawn('ff')); SELECT snn_type_drop('ff');
	SELECT count(*) FROM snn_network_types}), "\n\n0",
	'the type made with snn_define_type is spawned and dropped by the 0.2.0 names');
is($node->safe_psql('a', q{SELECT spikes_dims(pattern) = spikes_neurons(pattern) FROM facts LIMIT 1}),
	't', 'the 0.1.0 names still work after the upgrade, as deprecated aliases');

# ---- the upgraded catalog equals a fresh install
$node->safe_psql('b', 'CREATE EXTENSION snn');
my $describe = <<'SQL';
WITH ext AS (SELECT * FROM pg_extension WHERE extname = 'snn'),
m AS (
	SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS obj
	FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
),
-- ROW(...)::text keeps every field in its place, NULLs included
lines(obj, aspect, val) AS (
	SELECT m.obj, 'identity', i.type || ' ' || i.identity
	FROM m, pg_identify_object(m.classid, m.objid, 0) i
	UNION ALL
	SELECT m.obj, 'comment', ds.description
	FROM m JOIN pg_description ds ON ds.classoid = m.classid AND ds.objoid = m.objid AND ds.objsubid = 0
	UNION ALL
	SELECT m.obj, 'function', ROW(p.prokind, pg_get_function_arguments(p.oid),
		pg_get_function_result(p.oid), p.provolatile, p.proisstrict, p.proparallel,
		p.prosecdef, p.proleakproof, p.procost, p.prorows, p.proconfig::text,
		p.prosrc, p.probin, p.proacl::text, p.proowner::regrole)::text
	FROM m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
	UNION ALL
	SELECT m.obj, 'type', ROW(t.typtype, t.typlen, t.typbyval, t.typcategory,
		t.typispreferred, t.typdelim, t.typinput::regprocedure, t.typoutput::regprocedure,
		t.typreceive::regprocedure, t.typsend::regprocedure, t.typmodin::regprocedure,
		t.typmodout::regprocedure, t.typanalyze::regprocedure, t.typalign, t.typstorage,
		t.typnotnull, t.typdefault, t.typacl::text, format_type(t.typelem, NULL),
		format_type(t.typarray, NULL), format_type(t.typbasetype, t.typtypmod))::text
	FROM m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
	UNION ALL
	SELECT m.obj, 'cast', ROW(c.castfunc::regprocedure, c.castcontext, c.castmethod)::text
	FROM m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT m.obj, 'operator', ROW(o.oprkind, o.oprcanmerge, o.oprcanhash,
		o.oprcode::regprocedure, o.oprrest::regprocedure, o.oprjoin::regprocedure,
		o.oprcom::regoperator, o.oprnegate::regoperator, format_type(o.oprresult, NULL))::text
	FROM m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
	UNION ALL
	SELECT m.obj, 'opclass', ROW(c.opcdefault, format_type(c.opcintype, NULL),
		format_type(c.opckeytype, NULL), pg_describe_object('pg_opfamily'::regclass, c.opcfamily, 0))::text
	FROM m JOIN pg_opclass c ON m.classid = 'pg_opclass'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT m.obj, 'amop ' || a.amopstrategy || ' ' || format_type(a.amoplefttype, NULL) || ' '
		|| format_type(a.amoprighttype, NULL),
		ROW(a.amopopr::regoperator, a.amoppurpose,
		pg_describe_object('pg_opfamily'::regclass, a.amopsortfamily, 0))::text
	FROM m JOIN pg_amop a ON m.classid = 'pg_opfamily'::regclass AND a.amopfamily = m.objid
	UNION ALL
	SELECT m.obj, 'amproc ' || a.amprocnum || ' ' || format_type(a.amproclefttype, NULL) || ' '
		|| format_type(a.amprocrighttype, NULL), a.amproc::regprocedure::text
	FROM m JOIN pg_amproc a ON m.classid = 'pg_opfamily'::regclass AND a.amprocfamily = m.objid
	UNION ALL
	SELECT m.obj, 'access method', ROW(a.amtype, a.amhandler::regprocedure)::text
	FROM m JOIN pg_am a ON m.classid = 'pg_am'::regclass AND a.oid = m.objid
	UNION ALL
	SELECT m.obj, 'relation', ROW(c.relkind, c.relpersistence, c.relacl::text,
		c.reloptions::text, c.relowner::regrole,
		CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END)::text
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	UNION ALL
	SELECT m.obj, 'column ' || a.attname, concat_ws(' | ',
		row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),
		format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(ad.adbin, ad.adrelid),
		a.attidentity, a.attgenerated, a.attacl::text, col_description(c.oid, a.attnum))
	FROM m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
	JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	LEFT JOIN pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
	UNION ALL
	SELECT m.obj, 'constraint ' || co.conname, pg_get_constraintdef(co.oid)
	FROM m JOIN pg_constraint co ON m.classid = 'pg_class'::regclass AND co.conrelid = m.objid
	UNION ALL
	SELECT m.obj, 'index', pg_get_indexdef(i.indexrelid)
	FROM m JOIN pg_index i ON m.classid = 'pg_class'::regclass AND i.indrelid = m.objid
	UNION ALL
	SELECT m.obj, 'trigger ' || t.tgname, pg_get_triggerdef(t.oid)
	FROM m JOIN pg_trigger t ON m.classid = 'pg_class'::regclass AND t.tgrelid = m.objid
	UNION ALL
	SELECT m.obj, 'sequence', ROW(format_type(s.seqtypid, NULL), s.seqstart,
		s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)::text
	FROM m JOIN pg_sequence s ON m.classid = 'pg_class'::regclass AND s.seqrelid = m.objid
	UNION ALL
	SELECT 'extension snn', 'extension', ROW(ext.extversion, ext.extrelocatable,
		ext.extnamespace::regnamespace,
		(SELECT string_agg(x::regclass::text || ' ' || coalesce(cnd, '<null>'), ', ' ORDER BY x::regclass::text)
		 FROM unnest(ext.extconfig, ext.extcondition) u(x, cnd)),
		obj_description(ext.oid, 'pg_extension'))::text
	FROM ext
)
SELECT line FROM (SELECT obj || ' :: ' || aspect || ' :: ' || coalesce(val, '<null>') AS line
	FROM lines) s ORDER BY line COLLATE "C";
SQL
my $upgraded = $node->safe_psql('a', $describe);
my $fresh = $node->safe_psql('b', $describe);
my @lines = split /\n/, $fresh;
ok(@lines > 300, 'the description covers the extension (' . scalar(@lines) . ' lines)');
if ($upgraded eq $fresh)
{
	pass('the upgraded extension equals a fresh 0.2.0 install, object by object');
}
else
{
	my $dir = $PostgreSQL::Test::Utils::tmp_check;
	PostgreSQL::Test::Utils::append_to_file("$dir/upgraded.txt", "$upgraded\n");
	PostgreSQL::Test::Utils::append_to_file("$dir/fresh.txt", "$fresh\n");
	my $diff = `diff -u $dir/fresh.txt $dir/upgraded.txt`;
	diag("fresh install (-) against upgraded (+):\n$diff");
	fail('the upgraded extension equals a fresh 0.2.0 install, object by object');
}

# the runtime networks of db a are not left behind
$node->safe_psql('a', 'SELECT snn_dispose(id) FROM live');
$node->stop;
done_testing();
