# What a dropped database or a dropped extension leaves in the runtime is
# freed: the pool worker frees the network types (templates and ready
# pools) and live networks of a dropped database, and DROP EXTENSION snn
# frees its database's types and pools when it commits (a rolled-back drop
# keeps them).  The runtime's memory comes back to what it was, and types
# of other databases live on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cfg = '{"kind":"feedforward","inputs":16,"layers":[{"size":8},{"size":4}],"seed":1}';

my $node = PostgreSQL::Test::Cluster->new('runtime_dropped');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'\nsnn.worker_naptime = 100");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# Runtime memory of networks, by category (detectors and limits left out).
sub runtime_memory
{
	return $node->safe_psql('postgres', q{SELECT string_agg(category || '=' || bytes, ' ' ORDER BY category)
		FROM pg_stat_snn_memory WHERE category IN ('templates', 'pool', 'networks', 'training')});
}

# A type of pool_min $min in database $db; waits until its pool is full.
sub pooled_type
{
	my ($db, $type, $min) = @_;
	$node->safe_psql($db, "SELECT snn_type_create('$type', '$cfg', $min, 10)");
	ok( $node->poll_query_until('postgres',
			"SELECT ready = $min FROM pg_stat_snn_pools WHERE type = '$type' AND datname = '$db'"),
		"the pool of $type in $db fills to $min");
}

# a type of this database that must outlive the others' drops
pooled_type('postgres', 'keep', 2);
my $baseline = runtime_memory();

# ---- DROP DATABASE: the pool worker frees types, pools and networks
$node->safe_psql('postgres', 'CREATE DATABASE gone');
$node->safe_psql('gone', 'CREATE EXTENSION snn');
pooled_type('gone', 'g', 3);
$node->safe_psql('gone', "SELECT snn_spawn('g'), snn_spawn(snn_create('$cfg'))");
my $oid = $node->safe_psql('postgres', "SELECT oid FROM pg_database WHERE datname = 'gone'");
isnt(runtime_memory(), $baseline, 'the second database holds a template, a pool and two networks');
$node->safe_psql('postgres', 'DROP DATABASE gone');
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM snn_stat_pools() WHERE dbid = $oid"),
	'no pool of the dropped database remains');
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM snn_stat_networks() WHERE dbid = $oid"),
	'no network of the dropped database remains');
is(runtime_memory(), $baseline, 'the runtime memory is back to what it was');
like(slurp_file($node->logfile),
	qr/snn: freed 1 network types and 2 networks of dropped database $oid/,
	'the sweep is logged');
is($node->safe_psql('postgres', "SELECT ready FROM pg_stat_snn_pools WHERE type = 'keep'"),
	'2', 'the pool of another database lives on');

# ---- DROP EXTENSION: this database's types and pools go at commit
$node->safe_psql('postgres', 'CREATE DATABASE extdrop');
$node->safe_psql('extdrop', 'CREATE EXTENSION snn');
pooled_type('extdrop', 'e', 2);
my $with_e = runtime_memory();
$node->safe_psql('extdrop', 'BEGIN; DROP EXTENSION snn; ROLLBACK');
$node->safe_psql('extdrop', 'BEGIN; SAVEPOINT s; DROP EXTENSION snn; ROLLBACK TO s; COMMIT');
is($node->safe_psql('postgres', "SELECT ready FROM pg_stat_snn_pools WHERE datname = 'extdrop'"),
	'2', 'a rolled-back DROP EXTENSION keeps the type and its pool');
is(runtime_memory(), $with_e, 'and its memory');
$node->safe_psql('extdrop', 'BEGIN; SAVEPOINT s; DROP EXTENSION snn; RELEASE s; COMMIT');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_snn_pools WHERE datname = 'extdrop'"),
	'0', 'DROP EXTENSION frees the type and its pool at commit');
is(runtime_memory(), $baseline, 'the runtime memory is back to what it was');
$node->safe_psql('extdrop', 'CREATE EXTENSION snn');
my ($rc, $out, $err) = $node->psql('extdrop', "SELECT snn_spawn('e')");
like($err, qr/snn network type "e" does not exist/, 'the extension made again has no old type');
is($node->safe_psql('postgres', "SELECT ready FROM pg_stat_snn_pools WHERE type = 'keep'"),
	'2', 'the pool of another database is untouched');

$node->stop;
done_testing();
