# Training is all or nothing (failure, cancel, termination), and a crash of
# a backend during training leaves the runtime consistent after the
# postmaster reinitialises shared memory.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

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

# The runtime trains through the value-level snn_train(snn, float8[],
# integer[], jsonb).  Until the training area provides it, a stand-in in the
# extension's schema makes training observable: it returns the network
# rebuilt with the seed given in options, fails on {"fail":..} and sleeps
# on {"sleep":..}.
my $standin = $node->safe_psql('postgres',
	"SELECT to_regprocedure('snn_train(snn,float8[],integer[],jsonb)') IS NULL");
if ($standin eq 't')
{
	$node->safe_psql('postgres', qq{
		CREATE FUNCTION snn_train(net snn, features float8[], labels integer[], options jsonb DEFAULT '{}')
		RETURNS snn LANGUAGE plpgsql AS \$\$
		BEGIN
			IF options ? 'sleep' THEN PERFORM pg_sleep((options->>'sleep')::float8); END IF;
			IF options ? 'fail' THEN RAISE EXCEPTION 'training failed: %', options->>'fail'; END IF;
			RETURN snn_create(jsonb_set('$cfg'::jsonb, '{seed}', options->'seed'));
		END \$\$;
	});
}
else
{
	plan skip_all => 'the real snn_train(snn, ...) exists: this test drives the stand-in';
}

sub weights_seed
{
	my ($id) = @_;
	return $node->safe_psql('postgres', "SELECT snn_info(snn_save($id))->>'seed'");
}

my $id = $node->safe_psql('postgres', "SELECT snn_load(snn_create('$cfg'), 'trainee')");
is(weights_seed($id), '1', 'loaded network has seed 1');

# success swaps the new network in
is($node->safe_psql('postgres', "SELECT snn_train($id, '{1}', '{1}', '{\"seed\": 2}')"), $id,
	'snn_train returns the id');
is(weights_seed($id), '2', 'training swapped the new weights in');
is($node->safe_psql('postgres', "SELECT train_count, state FROM pg_stat_snn_networks WHERE id = $id"),
	'1|ready', 'train_count counted');

# failure leaves the old weights
my ($o, $e) = try_sql($node, "SELECT snn_train($id, '{1}', '{1}', '{\"seed\": 3, \"fail\": \"on purpose\"}')");
like($e, qr/training failed: on purpose/, 'a failing training raises its error');
is(weights_seed($id), '2', 'after a failed training the old weights stay');
is($node->safe_psql('postgres', "SELECT state, train_count FROM pg_stat_snn_networks WHERE id = $id"),
	'ready|1', 'and the network is ready again');
is($node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'training'"),
	'0', 'nothing left in the training category');

# cancel during training: old weights, ready
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/go/, "\\echo go\nSELECT snn_train($id, '{1}', '{1}', '{\"seed\": 4, \"sleep\": 60}');\n");
$node->poll_query_until('postgres', "SELECT state = 'training' FROM pg_stat_snn_networks WHERE id = $id");
($o, $e) = try_sql($node, "SELECT snn_train($id, '{1}', '{1}', '{\"seed\": 5}')");
like($e, qr/is being trained by another session/, 'a second training of the same network is refused');
is($node->safe_psql('postgres', "SELECT snn_save($id) IS NOT NULL"), 't', 'the network stays readable during training');
$node->safe_psql('postgres',
	"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT snn_train($id%' AND pid <> pg_backend_pid()");
ok($node->poll_query_until('postgres', "SELECT state = 'ready' FROM pg_stat_snn_networks WHERE id = $id"),
	'a cancelled training puts the network back to ready');
is(weights_seed($id), '2', 'with the old weights');
$bg->quit;

# termination (FATAL, no transaction cleanup by PG_CATCH) during training
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/go/, "\\echo go\nSELECT snn_train($id, '{1}', '{1}', '{\"seed\": 6, \"sleep\": 60}');\n");
$node->poll_query_until('postgres', "SELECT state = 'training' FROM pg_stat_snn_networks WHERE id = $id");
$node->safe_psql('postgres',
	"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT snn_train($id%' AND pid <> pg_backend_pid()");
ok($node->poll_query_until('postgres', "SELECT state = 'ready' FROM pg_stat_snn_networks WHERE id = $id"),
	'a terminated trainer leaves the network ready');
is(weights_seed($id), '2', 'with the old weights');
eval { $bg->quit };

# a committed network of a terminated session stays; an uncommitted one goes
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_safe("BEGIN");
$bg->query_safe("SELECT snn_load(snn_create('$cfg'), 'uncommitted')");
my $bgpid = $bg->query_safe("SELECT pg_backend_pid()");
$bgpid =~ s/\s+//g;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($bgpid)");
ok( $node->poll_query_until('postgres', "SELECT count(*) = 0 FROM pg_stat_snn_networks WHERE tag = 'uncommitted'"),
	'networks of a terminated open transaction are released');
eval { $bg->quit };

# ---- crash: SIGKILL a backend in the middle of a training
$node->safe_psql('postgres', "SELECT snn_define_type('t', '$cfg', 2, 10)");
$node->poll_query_until('postgres', "SELECT ready = 2 FROM pg_stat_snn_pools WHERE type = 't'");
$bg = $node->background_psql('postgres', on_error_stop => 0);
$bgpid = $bg->query_safe("SELECT pg_backend_pid()");
$bgpid =~ s/\s+//g;
$bg->query_until(qr/go/, "\\echo go\nSELECT snn_train($id, '{1}', '{1}', '{\"seed\": 7, \"sleep\": 60}');\n");
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
