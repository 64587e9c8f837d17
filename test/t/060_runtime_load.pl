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

# Training goes through the value-level snn_train(snn, ...); until the
# training area provides it, a stand-in that rebuilds the network with
# another seed exercises the copy-and-swap under concurrent readers.
if ($node->safe_psql('postgres',
		"SELECT to_regprocedure('snn_train(snn,float8[],integer[],jsonb)') IS NULL") eq 't')
{
	$node->safe_psql('postgres', qq{
		CREATE FUNCTION snn_train(net snn, features float8[], labels integer[], options jsonb DEFAULT '{}')
		RETURNS snn LANGUAGE sql AS
		\$\$ SELECT snn_create(jsonb_set('$cfg'::jsonb, '{seed}', to_jsonb(labels[1]))) \$\$;
	});
}
my $has_infer = $node->safe_psql('postgres',
	"SELECT to_regprocedure('snn_infer(snn,float8[])') IS NOT NULL") eq 't';

$node->safe_psql('postgres', "SELECT snn_define_type('load', '$cfg', 16, 100000, '1 hour')");
$node->poll_query_until('postgres', "SELECT ready = 16 FROM pg_stat_snn_pools WHERE type = 'load'");
my $shared = $node->safe_psql('postgres', "SELECT snn_load(snn_create('$cfg'), 'shared')");
my $baseline = $node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'total'");

# every client: spawn, read (infer when available, save always), dispose; and
# read the shared network the trainer keeps swapping
my $use = $has_infer ? "SELECT * FROM snn_infer(:id, array_fill(0.5::float8, ARRAY[16]));\n" : '';
my $script = "$PostgreSQL::Test::Utils::tmp_check/lifecycle.sql";
open my $fh, '>', $script or die;
print $fh "SELECT snn_spawn('load') AS id \\gset\n$use"
  . "SELECT length(snn_save(:id)::text) > 0;\n"
  . "SELECT snn_dispose(:id);\n"
  . "SELECT snn_info(snn_save($shared))->>'seed';\n"
  . "SELECT snn_dispose(snn_load(snn_save($shared)));\n";
close $fh;

my $trainer = $node->background_psql('postgres', on_error_stop => 0);
$trainer->query_until(qr/go/, "\\echo go\n"
	. "DO \$\$ DECLARE i int := 0; BEGIN WHILE clock_timestamp() < now() + interval '$seconds seconds' LOOP "
	. "i := i + 1; PERFORM snn_train($shared, '{1}', ARRAY[i % 1000 + 1], '{}'); END LOOP; END \$\$;\n"
	. "SELECT 'trainer done';\n");

my ($out, $err) = ('', '');
my @cmd = ('pgbench', '-n', '-c', $clients, '-j', 2, '-T', $seconds, '-M', 'prepared',
	'-f', $script, '-d', $node->connstr('postgres'));
my $ok = IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
ok($ok, "pgbench with $clients clients for $seconds s exits cleanly");
my ($tx) = $out =~ /number of transactions actually processed: (\d+)/;
my ($failed) = $out =~ /number of failed transactions: (\d+)/;
$failed //= 0;
ok(defined $tx && $tx > 0, "pgbench processed lifecycles (" . ($tx // 0) . ")");
is($failed, 0, 'no failed transaction');
unlike($err, qr/ERROR|FATAL|PANIC/, 'no error from any client') or diag($err);
diag("pgbench: " . join(' | ', grep { /tps|latency|processed/ } split /\n/, $out));

my $done = $trainer->query('SELECT 1');
$trainer->quit;
like($node->safe_psql('postgres', "SELECT train_count FROM pg_stat_snn_networks WHERE id = $shared"),
	qr/^[1-9]\d*$/, 'the shared network was retrained during the load');
is($node->safe_psql('postgres', "SELECT state FROM pg_stat_snn_networks WHERE id = $shared"), 'ready', 'and is ready');

# every network of the load is gone; shared memory back to its baseline
$node->safe_psql('postgres', "SELECT snn_train($shared, '{1}', '{1}', '{}')");
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'), '1', 'only the shared network is left');
ok( $node->poll_query_until('postgres',
		"SELECT ready = 16 AND in_use = 0 AND waiting = 0 FROM pg_stat_snn_pools WHERE type = 'load'"),
	'pool back at pool_min, none in use');
is($node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'total'"),
	$baseline, 'shared memory in use is back to its baseline');
is($node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'training'"),
	'0', 'no training copy left');
is($node->safe_psql('postgres', "SELECT errors, timeouts FROM pg_stat_snn_pools WHERE type = 'load'"),
	'0|0', 'no pool error or timeout');

# backend memory is flat across many lifecycles in one session
my $loop = sub {
	my ($n) = @_;
	return "DO \$\$ DECLARE id bigint; BEGIN FOR i IN 1..$n LOOP "
	  . "id := snn_spawn('load'); PERFORM snn_save(id); "
	  . ($has_infer ? "PERFORM snn_infer(id, array_fill(0.5::float8, ARRAY[16])); " : '')
	  . "PERFORM snn_dispose(id); END LOOP; END \$\$;";
};
my $mem = "SELECT sum(total_bytes) FROM pg_backend_memory_contexts;";
my $res = $node->safe_psql('postgres', join("\n", $loop->(1000), $mem, $loop->($lifecycles), $mem));
my ($m1, $m2) = split /\n/, $res;
diag("backend memory before $lifecycles lifecycles: $m1 bytes, after: $m2 bytes");
ok($m2 <= $m1, "backend memory flat across $lifecycles lifecycles ($m1 -> $m2 bytes)");
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'), '1', 'no network left by the loop');

$node->stop;
done_testing();
