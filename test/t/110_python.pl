# Python without casts: test/python/test_psycopg.py runs against a cluster
# with psycopg 3 (python3-psycopg) and the adapter python/snn_psycopg.py;
# each of its "ok - ..." / "not ok - ..." lines becomes a test here.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
my $src = $ENV{SNN_SRC} // '.';
plan skip_all => "no $python with psycopg 3 (python3-psycopg)"
  unless system($python, '-c', 'import psycopg') == 0;
plan skip_all => "no $src/python/snn_psycopg.py (SNN_SRC must be the source tree)"
  unless -f "$src/python/snn_psycopg.py";

my $node = PostgreSQL::Test::Cluster->new('python');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'");
$node->start;

my ($stdout, $stderr) = ('', '');
my $ok = IPC::Run::run([ $python, "$src/test/python/test_psycopg.py",
		$node->connstr('postgres'), $src ], '>', \$stdout, '2>', \$stderr);
my $checks = 0;
for my $line (split /\n/, $stdout)
{
	if ($line =~ /^ok - (.*)$/) { pass($1); $checks++; }
	elsif ($line =~ /^not ok - (.*)$/) { fail($1); $checks++; }
}
ok($checks >= 20, "the Python script ran its checks ($checks)");
ok($ok, 'the Python script exits 0') or diag("stdout:\n$stdout\nstderr:\n$stderr");

$node->stop;
done_testing();
