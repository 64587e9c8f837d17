# The snn stream worker absorbs ProcSignalBarriers: DROP DATABASE, which
# waits for every process to absorb one, completes in a preloaded cluster
# where no detector was ever used (it used to wait forever, the worker's
# loop never checking for interrupts).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('barrier');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'");
$node->start;

ok( $node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'snn stream worker'"),
	'the stream worker runs');
$node->safe_psql('postgres', 'CREATE DATABASE dropped');
$node->safe_psql('dropped', 'CREATE EXTENSION snn');

# a generous bound: without the fix the drop never returns
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'DROP DATABASE dropped', timeout => 60);
is($ret, 0, 'DROP DATABASE completes while the stream worker runs');
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_database WHERE datname = 'dropped'"),
	'0', 'the database is gone');

$node->stop;
done_testing();
