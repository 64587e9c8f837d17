# Training is all or nothing (failure, cancel, termination), and a crash of
# a backend during training leaves the runtime consistent after the
# postmaster reinitialises shared memory.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cfg = '{"kind":"feedforward","inputs":16,"layers":[{"size":8},{"size":4}],"seed":1}';

sub try_sql
{
	my ($node, $sql) = @_;
	my ($out, $err) = ('', '');
	$node->psql('postgres', $sql, stdout => \$out, stderr => \$err, on_error_stop => 1);
	return ($out, $err);
}

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'snn'
snn.worker_naptime = 100ms
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# A small two-class data set: class 0 is bright on the first 8 inputs,
# class 1 on the last 8.
$node->safe_psql('postgres', q{
	CREATE TABLE td AS
	SELECT i % 2 AS label,
		   (SELECT array_agg(CASE WHEN (j <= 8) = (i % 2 = 0) THEN 12 + (i * j) % 5 ELSE (i + j) % 3 END::real ORDER BY j)
			FROM generate_series(1, 16) j) AS f
	FROM generate_series(1, 200) i;
});

sub fingerprint
{
	my ($id) = @_;
	return $node->safe_psql('postgres', "SELECT md5(snn_save($id)::text)");
}

my $id = $node->safe_psql('postgres', "SELECT snn_spawn(snn_create('$cfg'), 'trainee')");
my $fp0 = fingerprint($id);

# success swaps the trained network in
is( $node->safe_psql('postgres',
		"SELECT snn_train_query($id, 'SELECT f, label FROM td', 'backprop', '{\"epochs\": 20}')"),
	$id, 'snn_train_query returns the id');
my $fp1 = fingerprint($id);
isnt($fp1, $fp0, 'training swapped new weights in');
is($node->safe_psql('postgres', "SELECT count(*) FROM snn_train_history(snn_save($id))"),
	'1', 'the saved network carries its training history');
is( $node->safe_psql('postgres',
		"SELECT avg((snn_predict($id, f) = label)::int) > 0.9 FROM td"),
	't', 'the trained network predicts the two classes');
is( $node->safe_psql('postgres',
		"SELECT i.predicted = td.label FROM td, snn_infer($id, td.f) i ORDER BY td.label LIMIT 1"),
	't', 'snn_infer on the id');
is($node->safe_psql('postgres', "SELECT train_count, state, infer_count > 200 FROM pg_stat_snn_networks WHERE id = $id"),
	'1|ready|t', 'train and infer counted');

# failure leaves the old weights
my ($o, $e) = try_sql($node,
	"SELECT snn_train($id, ARRAY[1, 2, 3]::real[], ARRAY[1], 'backprop')");
like($e, qr/inputs must be a two-dimensional array/, 'a failing training raises its error');
is(fingerprint($id), $fp1, 'after a failed training the old weights stay');
is($node->safe_psql('postgres', "SELECT state, train_count FROM pg_stat_snn_networks WHERE id = $id"),
	'ready|1', 'and the network is ready again');
is($node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'training'"),
	'0', 'nothing left in the training category');

# a training that takes long: its data query sleeps first
my $slow = "SELECT snn_train_query($id, 'SELECT f, label FROM td, pg_sleep(60)', 'backprop', '{\"epochs\": 50, \"seed\": 9}');";

# cancel during training: old weights, ready
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/go/, "\\echo go\n$slow\n");
$node->poll_query_until('postgres', "SELECT state = 'training' FROM pg_stat_snn_networks WHERE id = $id");
($o, $e) = try_sql($node, "SELECT snn_train_query($id, 'SELECT f, label FROM td', 'backprop')");
like($e, qr/is being trained by another session/, 'a second training of the same network is refused');
is($node->safe_psql('postgres', "SELECT snn_predict($id, f) = label FROM td LIMIT 1"), 't',
	'the network keeps serving inference during training');
$node->safe_psql('postgres',
	"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT snn_train_query($id%' AND pid <> pg_backend_pid()");
ok($node->poll_query_until('postgres', "SELECT state = 'ready' FROM pg_stat_snn_networks WHERE id = $id"),
	'a cancelled training puts the network back to ready');
is(fingerprint($id), $fp1, 'with the old weights');
$bg->quit;

# termination (FATAL: no PG_CATCH runs) during training
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/go/, "\\echo go\n$slow\n");
$node->poll_query_until('postgres', "SELECT state = 'training' FROM pg_stat_snn_networks WHERE id = $id");
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT snn_train_query($id%' AND pid <> pg_backend_pid()");
ok($node->poll_query_until('postgres', "SELECT state = 'ready' FROM pg_stat_snn_networks WHERE id = $id"),
	'a terminated trainer leaves the network ready');
is(fingerprint($id), $fp1, 'with the old weights');
eval { $bg->quit };

# a committed network of a terminated session stays; an uncommitted one goes
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_safe("BEGIN");
$bg->query_safe("SELECT snn_spawn(snn_create('$cfg'), 'uncommitted')");
my $bgpid = $bg->query_safe("SELECT pg_backend_pid()");
$bgpid =~ s/\s+//g;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($bgpid)");
ok( $node->poll_query_until('postgres', "SELECT count(*) = 0 FROM pg_stat_snn_networks WHERE tag = 'uncommitted'"),
	'networks of a terminated open transaction are released');
eval { $bg->quit };

# ---- crash: SIGKILL a backend in the middle of a training
$node->safe_psql('postgres', "SELECT snn_type_create('t', '$cfg', 2, 10)");
$node->poll_query_until('postgres', "SELECT ready = 2 FROM pg_stat_snn_pools WHERE type = 't'");
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bgpid = $bg->query_safe("SELECT pg_backend_pid()");
$bgpid =~ s/\s+//g;
$bg->query_until(qr/go/, "\\echo go\n$slow\n");
$node->poll_query_until('postgres', "SELECT state = 'training' FROM pg_stat_snn_networks WHERE id = $id");
my $log_offset = -s $node->logfile;
kill 'KILL', $bgpid;
eval { $bg->quit };
ok($node->wait_for_log(qr/all server processes terminated; reinitializing/, $log_offset),
	'killing a backend makes the postmaster reinitialise shared memory');
ok($node->poll_query_until('postgres', 'SELECT 1', '1'), 'server accepts connections again');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'), '0', 'registry empty after the crash');
is($node->safe_psql('postgres', "SELECT sum(bytes) FROM pg_stat_snn_memory WHERE category IN ('templates','pool','networks','training')"),
	'0', 'no shared memory in use after the crash');
($o, $e) = try_sql($node, "SELECT snn_save($id)");
like($e, qr/does not exist/, 'the old id is gone, with a clear error');
my $nid = $node->safe_psql('postgres', "SELECT snn_spawn('t')");
ok($nid > $id, 'spawning works again (type reloaded from the table), with a new id');
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'snn pool worker'"),
	'the worker is back');
ok($node->poll_query_until('postgres', "SELECT ready = 2 AND in_use = 1 FROM pg_stat_snn_pools WHERE type = 't'"),
	'and refills the pool');

# ---- crash of the worker itself
my $wpid = $node->safe_psql('postgres', "SELECT pid FROM pg_stat_activity WHERE backend_type = 'snn pool worker'");
$log_offset = -s $node->logfile;
kill 'KILL', $wpid;
ok($node->wait_for_log(qr/reinitializing/, $log_offset), 'a killed worker is a crash too');
ok($node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'snn pool worker' AND pid <> $wpid"),
	'the worker restarts after its crash');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_snn_networks'), '0', 'registry consistent');

$node->stop;
done_testing();
