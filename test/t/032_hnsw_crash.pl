# snn_hnsw survives a crash: kill -9 a backend while four sessions insert,
# which makes the postmaster end every backend, throw away shared memory and
# recover from WAL (the postmaster itself is not killed: in containers whose
# init does not reap, its zombie would keep the lock file); every committed row is found both by an exact scan
# and through the index; the index then keeps accepting inserts.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use SnnHnsw;

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', "restart_after_crash = on\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# a built index to start from, then inserts on top of it
SnnHnsw::make_clustered($node, 'items', 1000, 128, 40, 0.13);
$node->safe_psql('postgres', 'CREATE INDEX items_idx ON items USING snn_hnsw (pattern)');
$node->safe_psql('postgres', 'CHECKPOINT');

my $script = $node->basedir . '/insert.sql';
PostgreSQL::Test::Utils::append_to_file($script, SnnHnsw::insert_sql('items', 40));
my ($out, $err) = ('', '');
my $bench = IPC::Run::start(
	[
		'pgbench', '--no-vacuum', '--client=4', '--jobs=2', '--time=120',
		'--file=' . $script, '--host=' . $node->host, '--port=' . $node->port,
		'postgres'
	],
	'>', \$out, '2>', \$err);

# let the inserts run until enough are committed, then kill -9
$node->poll_query_until('postgres', 'SELECT count(*) >= 1800 FROM items')
  or die 'inserts did not progress';
my $victim = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE query LIKE 'INSERT INTO items%' AND pid <> pg_backend_pid() LIMIT 1");
ok($victim =~ /^\d+$/, "an inserting backend ($victim) to kill");
is(kill('KILL', $victim), 1, 'kill -9 of the inserting backend');
$bench->finish;
$node->poll_query_until('postgres', 'SELECT true')
  or die 'the server did not come back';
ok( $node->log_contains(qr/all server processes terminated; reinitializing/),
	'the postmaster reinitialised after the crash');
ok($node->log_contains(qr/database system was not properly shut down; automatic recovery in progress/),
	'and recovered from WAL');
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM items');
cmp_ok($rows, '>=', 1800, "$rows committed rows after recovery");
is( $node->safe_psql('postgres',
		'SET enable_indexscan = off; SET enable_bitmapscan = off;
		 SELECT count(*) FROM items r WHERE EXISTS (SELECT 1 FROM items s WHERE s.id = r.id AND s.pattern = r.pattern)'),
	$rows, 'an exact scan finds every committed row');
# An insert killed between writing a neighbour list it pruned and the
# in-degree check after it can leave the element it dropped with no way in
# (doc/index.md); at most one a killed insert, and the VACUUM below repairs
# them.  Every other committed row is found.
my $lost = SnnHnsw::rows_not_found($node, 'items', 400);
cmp_ok($lost, '<=', 4, "the index finds every committed row by its own pattern but $lost");

# the recovered index takes new rows and finds them
$node->safe_psql('postgres', SnnHnsw::insert_sql('items', 40) x 50);
cmp_ok(SnnHnsw::rows_not_found($node, 'items', 400), '<=', $lost,
	'rows inserted after recovery are found too');
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 4 = 0; VACUUM items');
is(SnnHnsw::rows_not_found($node, 'items', 400), '0',
	'and after a VACUUM of the recovered index');
# new rows take the places that VACUUM freed (the free space map is not
# crash safe; VACUUM recorded the pages again).  An element needs a free
# one of at least its own level among the few pages an insert tries, so a
# rare upper-level element is appended: the 100 rows (about five pages if
# all were appended) may add a page or two, not more.
my $size = $node->safe_psql('postgres', "SELECT pg_relation_size('items_idx')");
$node->safe_psql('postgres', SnnHnsw::insert_sql('items', 40) x 100);
cmp_ok($node->safe_psql('postgres', "SELECT pg_relation_size('items_idx')"), '<=', $size + 2 * 8192,
	'rows inserted after the VACUUM reuse freed space');
is(SnnHnsw::rows_not_found($node, 'items', 400), '0',
	'and are found');

$node->stop;
done_testing();
