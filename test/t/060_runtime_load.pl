# Load: pgbench clients spawn, use and dispose of networks while a session
# retrains one shared network that every client reads; no unexpected error,
# shared memory back to its baseline, backend memory flat over many
# lifecycles.  Size knobs (defaults sized for CI):
#   SNN_LOAD_SECONDS   pgbench duration (60)
#   SNN_LOAD_CLIENTS   pgbench clients (32)
#   SNN_LIFECYCLES     lifecycles for the backend memory check (100000)
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $seconds = $ENV{SNN_LOAD_SECONDS} // 60;
my $clients = $ENV{SNN_LOAD_CLIENTS} // 32;
my $lifecycles = $ENV{SNN_LIFECYCLES} // 100000;
my $cfg = '{"kind":"feedforward","inputs":16,"layers":[{"size":32},{"size":4}],"seed":1}';

my $node = PostgreSQL::Test::Cluster->new('load');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'snn'
max_connections = 100
snn.worker_naptime = 20ms
snn.acquire_timeout = 10s
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# A small two-class data set to train the shared network on.
$node->safe_psql('postgres', q{
	CREATE TABLE td AS
	SELECT i % 2 AS label,
		   (SELECT array_agg(CASE WHEN (j <= 8) = (i % 2 = 0) THEN 12 + (i * j) % 5 ELSE (i + j) % 3 END::real ORDER BY j)
			FROM generate_series(1, 16) j) AS f
	FROM generate_series(1, 200) i;
});
my $feat = "(SELECT f FROM td WHERE label = 1 LIMIT 1)";

$node->safe_psql('postgres', "SELECT snn_type_create('load', '$cfg', 16, 100000, '1 hour')");
$node->poll_query_until('postgres', "SELECT ready = 16 FROM pg_stat_snn_pools WHERE type = 'load'");
my $shared = $node->safe_psql('postgres', "SELECT snn_spawn(snn_create('$cfg'), 'shared')");
$node->safe_psql('postgres', "SELECT snn_train_query($shared, 'SELECT f, label FROM td', 'backprop', '{\"epochs\": 20}')");
# the shared network grows with its training history: leave it out
my $baseline = $node->safe_psql('postgres', "SELECT (SELECT bytes FROM pg_stat_snn_memory WHERE category = 'total') - (SELECT bytes FROM pg_stat_snn_networks WHERE id = $shared)");

# every client: spawn, save, dispose a pooled network; infer on the shared
# network that a trainer keeps retraining and swapping; load a copy of it,
# infer on the copy, dispose of it
my $script = "$PostgreSQL::Test::Utils::tmp_check/lifecycle.sql";
open my $fh, '>', $script or die;
print $fh "SELECT snn_spawn('load') AS id \\gset\n"
  . "SELECT length(snn_save(:id)::text) > 0;\n"
  . "SELECT snn_dispose(:id);\n"
  . "SELECT predicted FROM snn_infer($shared, $feat);\n"
  . "SELECT snn_spawn(snn_save($shared)) AS copy \\gset\n"
  . "SELECT snn_predict(:copy::bigint, $feat);\n"
  . "SELECT snn_dispose(:copy);\n";
close $fh;

my $trainer = $node->background_psql('postgres', on_error_stop => 0);
$trainer->query_until(qr/go/, "\\echo go\n"
	. "DO \$\$ DECLARE i int := 0; BEGIN WHILE clock_timestamp() < now() + interval '$seconds seconds' LOOP "
	. "i := i + 1; PERFORM snn_train_query($shared, 'SELECT f, label FROM td', 'backprop', jsonb_build_object('epochs', 2, 'seed', i)); "
	. "END LOOP; END \$\$;\n");

my ($out, $err) = ('', '');
my @cmd = ('pgbench', '-n', '-c', $clients, '-j', 2, '-T', $seconds, '-M', 'prepared',
	'-f', $script, $node->connstr('postgres'));
my $ok = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
ok($ok, "pgbench with $clients clients for $seconds s exits cleanly");
my ($tx) = $out =~ /number of transactions actually processed: (\d+)/;
my ($failed) = $out =~ /number of failed transactions: (\d+)/;
$failed //= 0;
ok(defined $tx && $tx > 0, "pgbench processed lifecycles (" . ($tx // 0) . ")");
is($failed, 0, 'no failed transaction');
unlike($err, qr/ERROR|FATAL|PANIC/, 'no error from any client') or diag($err);
diag("pgbench: " . join(' | ', grep { /tps|latency|processed/ } split /\n/, $out));

$trainer->query('SELECT 1');
$trainer->quit;
like($node->safe_psql('postgres', "SELECT train_count FROM pg_stat_snn_networks WHERE id = $shared"),
	qr/^([2-9]|\d\d+)$/, 'the shared network was retrained during the load');
is($node->safe_psql('postgres', "SELECT state FROM pg_stat_snn_networks WHERE id = $shared"), 'ready', 'and is ready');
like($node->safe_psql('postgres', "SELECT count FROM pg_stat_snn_lifecycle WHERE phase = 'infer' AND type = '(none)'"),
	qr/^[1-9]\d*$/, 'inferences counted');

# every network of the load is gone; shared memory back to its baseline
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'), '1', 'only the shared network is left');
ok( $node->poll_query_until('postgres',
		"SELECT ready = 16 AND in_use = 0 AND waiting = 0 FROM pg_stat_snn_pools WHERE type = 'load'"),
	'pool back at pool_min, none in use');
is($node->safe_psql('postgres', "SELECT (SELECT bytes FROM pg_stat_snn_memory WHERE category = 'total') - (SELECT bytes FROM pg_stat_snn_networks WHERE id = $shared)"),
	$baseline, 'shared memory in use (besides the shared network) is back to its baseline');
is($node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'training'"),
	'0', 'no training copy left');
is($node->safe_psql('postgres', "SELECT errors, timeouts FROM pg_stat_snn_pools WHERE type = 'load'"),
	'0|0', 'no pool error or timeout');

# backend memory is flat across many lifecycles in one session
my $loop = sub {
	my ($n) = @_;
	return "DO \$\$ DECLARE id bigint; c bigint; BEGIN FOR i IN 1..$n LOOP "
	  . "id := snn_spawn('load'); PERFORM snn_save(id); PERFORM snn_dispose(id); "
	  . "PERFORM snn_predict($shared, $feat); PERFORM snn_infer($shared, $feat); "
	  . "c := snn_spawn(snn_save($shared)); PERFORM snn_infer(c, $feat); PERFORM snn_dispose(c); "
	  . "END LOOP; END \$\$;";
};
my $mem = "SELECT sum(total_bytes) FROM pg_backend_memory_contexts;";
my $res = $node->safe_psql('postgres', join("\n", $loop->(1000), $mem, $loop->($lifecycles), $mem));
my ($m1, $m2) = split /\n/, $res;
diag("backend memory before $lifecycles lifecycles: $m1 bytes, after: $m2 bytes");
ok($m2 <= $m1, "backend memory flat across $lifecycles lifecycles ($m1 -> $m2 bytes)");
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'), '1', 'no network left by the loop');

$node->stop;
done_testing();
