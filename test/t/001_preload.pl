# CREATE EXTENSION works with and without shared_preload_libraries = 'snn'.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

for my $preload (0, 1)
{
	my $node = PostgreSQL::Test::Cluster->new($preload ? 'preloaded' : 'plain');
	$node->init;
	$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'")
	  if $preload;
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION snn');
	is( $node->safe_psql('postgres',
			"SELECT extversion FROM pg_extension WHERE extname = 'snn'"),
		'0.2.0',
		"extension installed, preload=$preload");
	is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
		$preload ? 'snn' : '', "preload setting as configured ($preload)");
	$node->stop;
}

done_testing();
