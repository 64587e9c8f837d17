# Security of detectors, as a hostile ordinary role (mallory) beside an
# honest one (alice): the row_to_json search_path escalation through the
# snn_detect anomaly insert, every internal function refused (42501),
# another owner's detector out of reach (drop, freeze, unfreeze, reset,
# score, trigger, owner rewrite), detectors created and owned through
# snn_detector_create, and the per-owner stream limit that keeps one role
# from filling snn.max_memory while another role's snn_spawn still works.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cfg = '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}';

my $node = PostgreSQL::Test::Cluster->new('security');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'snn'\nTimeZone = 'UTC'\nsnn.max_memory = 16\nsnn.detector_max_streams = 40\n");
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION snn;
	CREATE ROLE alice LOGIN;
	CREATE ROLE mallory LOGIN;
	CREATE SCHEMA alice AUTHORIZATION alice;
	CREATE SCHEMA evil AUTHORIZATION mallory;
});

# Run sql as a role; returns (ok, stdout, stderr with the SQLSTATE).
sub as_role
{
	my ($role, $sql) = @_;
	my ($rc, $out, $err) = $node->psql('postgres',
		"SET ROLE $role;\n\\set VERBOSITY verbose\n\\set ON_ERROR_STOP 1\n$sql");
	return ($rc == 0, $out, $err);
}

# A detector of role's own: through snn_detector_create (or, where ordinary
# roles cannot create detectors, made by the superuser and handed over).
sub own_detector
{
	my ($role, $name, $config) = @_;
	my ($ok, $out, $err) = as_role($role, "SELECT snn_detector_create('$name', '$config') > 0");
	return ($ok, $err) if $ok;
	$node->safe_psql('postgres', qq{
		SELECT snn_detector_create('$name', '$config');
		UPDATE snn_detectors SET owner = '$role' WHERE name = '$name';
	});
	return (0, $err);
}

# --- creation through the safe path, and the owner column out of reach
my ($created, $cerr) = own_detector('alice', 'ad', $cfg);
ok($created, 'an ordinary role creates a detector with snn_detector_create')
  or diag($cerr);
is($node->safe_psql('postgres', "SELECT owner FROM snn_detectors WHERE name = 'ad'"),
	'alice', 'the creator owns it');
own_detector('mallory', 'md', $cfg);
my ($ok, $out, $err) = as_role('mallory',
	"UPDATE snn_detectors SET owner = 'mallory' WHERE name = 'ad'");
ok(!$ok && $err =~ /42501/, "mallory cannot take alice's detector by UPDATE (42501)")
  or diag($err);
($ok, $out, $err) = as_role('mallory',
	"UPDATE snn_detectors SET owner = 'alice' WHERE name = 'md'");
ok(!$ok && $err =~ /42501/, 'mallory cannot rewrite the owner of her own detector (42501)')
  or diag($err);
($ok, $out, $err) = as_role('mallory',
	"INSERT INTO snn_detectors (name, config, settings, seed, actions, owner) "
	  . "SELECT 'forged', config, settings, seed, actions, 'alice' FROM snn_detectors WHERE name = 'md'");
ok(!$ok && $err =~ /42501/, 'mallory cannot insert a detector row for alice (42501)')
  or diag($err);
is($node->safe_psql('postgres', "SELECT string_agg(name || ':' || owner, ',' ORDER BY name) FROM snn_detectors"),
	'ad:alice,md:mallory', 'owners unchanged, nothing forged');

# --- the row_to_json escalation through the anomaly insert
as_role('mallory', q{
	CREATE FUNCTION evil.row_to_json(a public.snn_anomalies) RETURNS json
	LANGUAGE plpgsql AS $$
	BEGIN
		EXECUTE 'ALTER ROLE mallory SUPERUSER';
		RETURN '{}'::json;
	END $$;
	CREATE FUNCTION evil."="(a text, b text) RETURNS boolean
	LANGUAGE plpgsql AS $$
	BEGIN
		EXECUTE 'ALTER ROLE mallory SUPERUSER';
		RETURN a OPERATOR(pg_catalog.=) b;
	END $$;
	CREATE OPERATOR evil.= (FUNCTION = evil."=", LEFTARG = text, RIGHTARG = text);
	CREATE TABLE evil.ev (id int, k text, v float8, at timestamptz);
	CREATE TRIGGER det AFTER INSERT ON evil.ev FOR EACH ROW
		EXECUTE FUNCTION public.snn_detect('md', 'v', 'k', 'id', 'at');
});
($ok, $out, $err) = as_role('mallory', q{
	SET search_path = evil, public;
	INSERT INTO evil.ev SELECT i, 'a', 10 + sin(i / 8.0) + CASE WHEN i = 300 THEN 500 ELSE 0 END,
		timestamptz '2024-01-01' + i * interval '1 min' FROM generate_series(1, 300) i;
});
diag($err) if !$ok;
is($node->safe_psql('postgres', "SELECT count(*) > 0 FROM snn_anomalies WHERE detector = 'md'"),
	't', 'the attack reached the anomaly insert (an anomaly was recorded)');
is($node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'"),
	'f', 'mallory is still not a superuser after hijacking row_to_json and = in her search_path');
($ok, $out, $err) = as_role('mallory', q{
	SET search_path = evil, pg_catalog, public;
	SELECT snn_detector_freeze('md');
	SELECT snn_detector_unfreeze('md');
	SELECT snn_detector_reset('md', 'a');
	SELECT snn_anomaly_score('md', ARRAY[1.0]);
});
ok($ok, "mallory manages her own detector under a hostile search_path") or diag($err);
is($node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'"),
	'f', 'still not a superuser after the management functions ran under that search_path');

# a superuser whose search_path puts mallory's schema first (before an
# explicit pg_catalog) runs the extension's statements: none may call evil.=
# or evil.now (each would make mallory a superuser)
as_role('mallory', q{
	CREATE FUNCTION evil.now() RETURNS timestamptz
	LANGUAGE plpgsql AS $$
	BEGIN
		EXECUTE 'ALTER ROLE mallory SUPERUSER';
		RETURN pg_catalog.now();
	END $$;
});
my $netcfg = '{"kind": "feedforward", "inputs": 4, "layers": [{"size": 4}, {"size": 2}], "seed": 1}';
my $rc;
($rc, $out, $err) = $node->psql('postgres', qq{
	\\set ON_ERROR_STOP 1
	SET search_path = evil, pg_catalog, public;
	SELECT public.snn_detector_create('su_det', '$cfg') > 0;
	SELECT public.snn_anomaly_score('su_det', ARRAY[1.0]) >= 0;
	SELECT public.snn_detector_freeze('su_det');
	SELECT public.snn_detector_drop('su_det');
	SELECT public.snn_type_create('su_type', '$netcfg');
	SELECT public.snn_type_create('su_type', '$netcfg', 0, 8);
	SELECT public.snn_dispose(public.snn_spawn('su_type'));
	SELECT public.snn_type_drop('su_type');
});
ok($rc == 0, 'the superuser runs detector and network-type functions under that search_path')
  or diag($err);
is($node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'"),
	'f', "mallory's = and now() never ran as the superuser");

# --- internal functions: none executable by PUBLIC
my $adid = $node->safe_psql('postgres', "SELECT id FROM snn_detectors WHERE name = 'ad'");
foreach my $call ("snn_detector_discard($adid, NULL)", 'snn_detector_invalidate()',
	'snn_detector_new_id()', 'snn_detector_save()')
{
	($ok, $out, $err) = as_role('mallory', "SELECT $call");
	ok(!$ok && $err =~ /42501/, "mallory: $call is refused (42501)") or diag($err);
}
is($node->safe_psql('postgres', q{
	SELECT coalesce(string_agg(p.oid::regprocedure::text, ', '), 'none')
	FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'snn'
	WHERE obj_description(p.oid, 'pg_proc') LIKE 'internal:%'
	  AND has_function_privilege('mallory', p.oid, 'EXECUTE')}),
	'none', 'no function commented "internal:" is executable by an ordinary role');

# --- another owner's detector: management refused, state kept
as_role('alice', "SELECT snn_anomaly_score('ad', ARRAY[1.0], 'k1')");
foreach my $call ("snn_detector_drop('ad')", "snn_detector_freeze('ad')",
	"snn_detector_unfreeze('ad')", "snn_detector_reset('ad')", "snn_detector_reset('ad', 'k1')",
	"snn_anomaly_score('ad', ARRAY[1.0], 'x')")
{
	($ok, $out, $err) = as_role('mallory', "SELECT $call");
	ok(!$ok && $err =~ /42501/, "mallory: $call on alice's detector is refused (42501)")
	  or diag($err);
}
($ok, $out, $err) = as_role('mallory', q{
	CREATE TABLE evil.ev2 (v float8);
	CREATE TRIGGER det AFTER INSERT ON evil.ev2 FOR EACH ROW
		EXECUTE FUNCTION public.snn_detect('ad', 'v');
	INSERT INTO evil.ev2 VALUES (1);
});
ok(!$ok && $err =~ /42501/, "mallory's trigger cannot feed alice's detector (42501)") or diag($err);
is($node->safe_psql('postgres', q{
	SELECT detector || ':' || streams || ':' || events || ':' || learning FROM pg_stat_snn_detectors WHERE detector = 'ad'}),
	'ad:1:1:true', "alice's detector kept its stream and learning");
($ok, $out, $err) = as_role('alice', q{
	SELECT snn_detector_freeze('ad');
	SELECT snn_detector_unfreeze('ad');
	SELECT snn_detector_reset('ad', 'k1');
});
ok($ok, 'the owner manages her detector') or diag($err);
$node->safe_psql('postgres', q{
	CREATE ROLE ops LOGIN;
	GRANT alice TO ops;
});
($ok, $out, $err) = as_role('ops', "SELECT snn_detector_freeze('ad')");
ok($ok, 'a member of the owner role manages it too') or diag($err);

# --- the stream limit: mallory fills her share, alice still loads a network
my $big = '{}';
own_detector('mallory', 'big', $big);
own_detector('mallory', 'big2', $big);
my $bytes = $node->safe_psql('postgres', "SELECT settings->>'state_bytes' FROM snn_detectors WHERE name = 'big'");
($ok, $out, $err) = as_role('mallory', q{
	SELECT snn_anomaly_score('big', ARRAY[1.0], 'k' || i) FROM generate_series(1, 30) i;
	SELECT snn_anomaly_score('big2', ARRAY[1.0], 'k' || i) FROM generate_series(1, 1000) i;
});
ok(!$ok && $err =~ /53400/, "mallory's 1000 new streams stop at the limit (53400)") or diag($err);
like($err, qr/40 streams/, 'the error names the limit');
is($node->safe_psql('postgres', q{
	SELECT sum(streams) FROM pg_stat_snn_detectors WHERE detector IN ('big', 'big2', 'md')}),
	'40', "every stream mallory's detectors hold counts against her limit of 40");
($ok, $out, $err) = as_role('mallory', "SELECT snn_anomaly_score('big', ARRAY[2.0], 'k1')");
ok($ok, 'an existing stream goes on scoring at the limit') or diag($err);
($ok, $out, $err) = as_role('alice', q{
	SELECT snn_dispose(snn_spawn(snn_create('{"kind": "feedforward", "inputs": 200, "layers": [{"size": 200}, {"size": 10}], "seed": 1}')));
	SELECT snn_anomaly_score('ad', ARRAY[1.0], 'new');
});
ok($ok, "alice still loads a network and starts a stream ($bytes bytes a stream of mallory's)")
  or diag($err);
($ok, $out, $err) = as_role('mallory', "SELECT snn_detector_drop('big2')");
($ok, $out, $err) = as_role('mallory', "SELECT snn_anomaly_score('big', ARRAY[1.0], 'again')");
ok($ok, 'dropping a detector gives its streams back to the owner') or diag($err);

# --- the short NOTIFY of a long row stays valid JSON whatever the name
$node->safe_psql('postgres', qq{
	SELECT snn_detector_create('q"\\d', '$cfg');
	CREATE TABLE longev (id text, k text, v float8, at timestamptz);
	CREATE TRIGGER det AFTER INSERT ON longev FOR EACH ROW
		EXECUTE FUNCTION snn_detect('q"\\d', 'v', 'k', 'id', 'at');
});
my $bg = $node->background_psql('postgres');
$bg->query_safe('LISTEN snn_anomalies');
$node->safe_psql('postgres', q{INSERT INTO longev SELECT repeat('x', 8000) || i, 'a',
	10 + sin(i / 8.0) + CASE WHEN i = 300 THEN 500 ELSE 0 END,
	timestamptz '2024-01-01' + i * interval '1 min' FROM generate_series(1, 300) i});
my $got = $bg->query_safe("SELECT 'ping'");
$bg->quit;
my @notes = $got =~ /Asynchronous notification "snn_anomalies" with payload "(.*?)" received/g;
ok(scalar(@notes) >= 1, 'the long anomaly row was notified (' . scalar(@notes) . ' notices)');
my $note = $notes[-1] // '';
($ok, $out, $err) = $node->psql('postgres',
	"SELECT (\$p\$$note\$p\$::json)->>'detector', (\$p\$$note\$p\$::json)->>'truncated'");
is($out, "q\"\\d|true", "the short notice is valid JSON naming the detector q\"\\d ($note)")
  or diag($err);

# --- superuser bypasses ownership
$node->safe_psql('postgres', "SELECT snn_detector_drop('md')");
is($node->safe_psql('postgres', "SELECT count(*) FROM snn_detectors WHERE name = 'md'"),
	'0', "the superuser drops mallory's detector");

$node->stop;
done_testing();
