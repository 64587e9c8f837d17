# Cancellation of long engine work: every long operation stops within a
# generous bound when statement_timeout fires or pg_cancel_backend is
# called from another session, raises 57014, and leaves the session usable
# (the same session then runs a small job; its memory is back to where it
# was).  Uncancelled, on a 2-core machine, these jobs take: reservoir build
# about 5 s, dense 7071 x 7071 build 3 s (2 s when not folded as a constant),
# two Poisson encodings 11 s, two rate encodings 10 s, simulation about 50 s,
# ridge about 25 s, backprop about 50 s, stdp and hebbian over 30 s.  With
# the interrupt hook each stops in about 0.5 s after a 500 ms timeout.
# Before it, the builds, the encoders, the simulation (checked only between
# chunks of steps, 4 s apart on a spiking reservoir) and ridge (not in the
# Cholesky) ran on for 1.6 to 22 s and failed these bounds; backprop, stdp
# and hebbian already checked each epoch or sample (kept as guards).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('cancel');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# Data of n samples x 4 features, labels 0/1.
sub data
{
	my ($n) = @_;
	return "(SELECT array_agg(ARRAY[i % 3, i % 5, i % 7, i % 11]::real[] ORDER BY i) FROM generate_series(1, $n) i), "
	  . "(SELECT array_agg(i % 2 ORDER BY i) FROM generate_series(1, $n) i)";
}

my %jobs = (
	'reservoir build (49M synapses)' => [
		"SELECT snn_info(snn_create('{\"kind\":\"reservoir\",\"size\":9900,\"inputs\":10,\"connectivity\":0.5,\"seed\":1}')) IS NOT NULL",
		2],
	'dense 7071 x 7071 feed-forward build' => [
		"SELECT snn_info(snn_create('{\"kind\":\"feedforward\",\"inputs\":7071,\"layers\":[{\"size\":7071}]}')) IS NOT NULL",
		1.2],
	'two Poisson encodings of 10^8 cells' => [
		"SELECT spiketrain_events(snn_encode_poisson((SELECT array_agg(0.5::float8) FROM generate_series(1, 10)), 0, 1, 10000000, 0.0001, 1)) + "
		  . "spiketrain_events(snn_encode_poisson((SELECT array_agg(0.5::float8) FROM generate_series(1, 10)), 0, 1, 10000000, 0.0001, 2)) > 0",
		2],
	'two rate encodings of 5 x 10^7 spikes' => [
		"SELECT spiketrain_events(snn_encode_rate((SELECT array_agg(1::float8) FROM generate_series(1, 50)), 0, 1, 1000000, 1)) + "
		  . "spiketrain_events(snn_encode_rate((SELECT array_agg(0.99::float8) FROM generate_series(1, 50)), 0, 1, 1000000, 1)) > 0",
		2],
	'long snn_simulate' => [
		"SELECT snn_simulate_stats(snn_create('{\"kind\":\"reservoir\",\"size\":20000,\"inputs\":1,\"connectivity\":0.05,\"seed\":1}'), NULL, 1000000) IS NOT NULL",
		2],
	'ridge on a 4000-neuron reservoir' => [
		"SELECT snn_train(snn_create('{\"kind\":\"reservoir\",\"size\":4000,\"inputs\":4,\"connectivity\":0.01,\"seed\":1}'), "
		  . data(50) . ", 'ridge', '{\"steps\": 1}') IS NOT NULL",
		5],
	'backprop with many epochs' => [
		"SELECT snn_train(snn_create('{\"kind\":\"feedforward\",\"inputs\":4,\"layers\":[{\"size\":64},{\"size\":2}]}'), "
		  . data(2000) . ", 'backprop', '{\"epochs\": 20000, \"patience\": 100000}') IS NOT NULL",
		5],
	'stdp with many epochs' => [
		"SELECT snn_train(snn_create('{\"kind\":\"feedforward\",\"inputs\":4,\"layers\":[{\"size\":64}]}'), "
		  . data(2000) . ", 'stdp', '{\"epochs\": 10000, \"steps\": 1000}') IS NOT NULL",
		5],
	'hebbian with many epochs' => [
		"SELECT snn_train(snn_create('{\"kind\":\"feedforward\",\"inputs\":4,\"layers\":[{\"size\":4}]}'), "
		  . "(SELECT array_agg(ARRAY[i % 3, i % 5, i % 7, i % 11]::real[] ORDER BY i) FROM generate_series(1, 100000) i), NULL::integer[], "
		  . "'hebbian', '{\"epochs\": 10000}') IS NOT NULL",
		5],
);

my $small = "SELECT snn_info(snn_create('{\"kind\":\"feedforward\",\"inputs\":4,\"layers\":[{\"size\":3}],\"seed\":1}'))->>'neurons'";

for my $name (sort keys %jobs)
{
	my ($sql, $bound) = @{ $jobs{$name} };

	# 1. statement_timeout, then a small job in the same session
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $s->query_safe('SELECT pg_backend_pid()');
	$s->query_safe("SET statement_timeout = '500ms'");
	my $t0 = time;
	$s->query("$sql;");
	my $el = time - $t0;
	like($s->{stderr}, qr/canceling statement due to statement timeout/,
		"$name: statement_timeout cancels it");
	cmp_ok($el, '<', $bound, "$name: stops within $bound s (took "
		  . sprintf('%.2f', $el) . ' s)');
	$s->{stderr} = '';
	$s->query_safe('RESET statement_timeout');
	is($s->query_safe($small), '3', "$name: the session still works");

	# 2. pg_cancel_backend from a second session
	$s->query_until(qr/started/, "\\echo started\n$sql;\n\\echo done\n");
	$t0 = time;
	# wait until the job runs, then cancel it
	$node->poll_query_until('postgres',
		"SELECT state = 'active' FROM pg_stat_activity WHERE pid = $pid")
	  or die "job did not start";
	usleep(200_000);
	$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
	my $tc = time;
	$s->query_until(qr/done/, '');
	$el = time - $tc;
	like($s->{stderr}, qr/canceling statement due to user request/,
		"$name: pg_cancel_backend cancels it (SQLSTATE 57014)");
	cmp_ok($el, '<', $bound, "$name: stops within $bound s of the cancel (took "
		  . sprintf('%.2f', $el) . ' s)');
	$s->{stderr} = '';
	is($s->query_safe($small), '3', "$name: the session still works after the cancel");
	$s->quit;
}

# Memory: a session that was cancelled in the middle of a 400 MB build and
# a big ridge returns to its starting memory (nothing kept past the error).
{
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	my $mem = "SELECT sum(total_bytes) FROM pg_backend_memory_contexts";
	$s->query_safe($small);
	my $before = $s->query_safe($mem);
	$s->query_safe("SET statement_timeout = '300ms'");
	for (1 .. 3)
	{
		$s->query($jobs{'dense 7071 x 7071 feed-forward build'}[0] . ';');
		$s->query($jobs{'ridge on a 4000-neuron reservoir'}[0] . ';');
	}
	$s->{stderr} = '';
	$s->query_safe('RESET statement_timeout');
	$s->query_safe($small);
	my $after = $s->query_safe($mem);
	cmp_ok($after, '<', $before + 1024 * 1024,
		"memory after six cancelled jobs: $after bytes, before $before");
	$s->quit;
}

$node->stop;
done_testing();
