# snn_hnsw recall against exact search: clustered TTFS data of 10,000
# patterns of 128 neurons, a set where half the rows are duplicates, and a
# build that outgrows maintenance_work_mem (NOTICE, then on-disk inserts).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use SnnHnsw;

my $node = PostgreSQL::Test::Cluster->new('recall');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# clustered data, built in memory
SnnHnsw::make_clustered($node, 'items', 10000, 128, 100, 0.11);
SnnHnsw::make_queries($node, 'items', 200, 0.21);
$node->safe_psql('postgres',
	'CREATE INDEX items_idx ON items USING snn_hnsw (pattern); ANALYZE items');
my $r = SnnHnsw::recall_at_10($node, 'items', 'items_idx', 40);
note "clustered 10000x128: recall\@10 at ef_search 40 = $r";
cmp_ok($r, '>=', 0.95, 'recall@10 >= 0.95 at the default ef_search');
my $r160 = SnnHnsw::recall_at_10($node, 'items', 'items_idx', 160);
note "recall\@10 at ef_search 160 = $r160";
cmp_ok($r160, '>=', $r, 'a wider search does not lose recall');
is( $node->safe_psql('postgres',
		"SELECT reltuples::int FROM pg_class WHERE relname = 'items_idx'"),
	'10000', 'the build counted every row');

# half the rows duplicate the other half
SnnHnsw::make_clustered($node, 'dup', 5000, 128, 100, 0.31);
$node->safe_psql('postgres', 'INSERT INTO dup (pattern) SELECT pattern FROM dup');
SnnHnsw::make_queries($node, 'dup', 200, 0.41);
$node->safe_psql('postgres',
	'CREATE INDEX dup_idx ON dup USING snn_hnsw (pattern); ANALYZE dup');
$r = SnnHnsw::recall_at_10($node, 'dup', 'dup_idx', 40);
note "half duplicates: recall\@10 at ef_search 40 = $r";
cmp_ok($r, '>=', 0.95, 'recall@10 >= 0.95 with half the rows duplicated');
is($node->safe_psql('postgres',
		"SET enable_seqscan = off; SELECT count(*) FROM (SELECT id FROM dup ORDER BY pattern <-> (SELECT pattern FROM dup WHERE id = 17) LIMIT 2) s WHERE (SELECT pattern FROM dup WHERE id = 17) <-> (SELECT pattern FROM dup s2 WHERE s2.id = s.id) = 0"),
	'2', 'both copies of a duplicated row come first');

# a build larger than maintenance_work_mem: NOTICE with a hint, same quality
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"SET maintenance_work_mem = '1MB'; CREATE INDEX dup_small ON dup USING snn_hnsw (pattern)");
is($ret, 0, 'the build past maintenance_work_mem succeeds');
like($stderr, qr/NOTICE:  snn_hnsw graph no longer fits into maintenance_work_mem/,
	'a NOTICE says the graph outgrew maintenance_work_mem');
like($stderr, qr/HINT:  Increase maintenance_work_mem/, 'with a hint');
$node->safe_psql('postgres', 'DROP INDEX dup_idx');
$r = SnnHnsw::recall_at_10($node, 'dup', 'dup_small', 40);
note "build past maintenance_work_mem: recall\@10 at ef_search 40 = $r";
cmp_ok($r, '>=', 0.95, 'the slower build path keeps recall');

# the L1 operator class on the same data
$node->safe_psql('postgres',
	'CREATE INDEX items_l1 ON items USING snn_hnsw (pattern spikes_l1_ops)');
like($node->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY pattern <+> (SELECT p FROM items_q LIMIT 1) LIMIT 10"),
	qr/Index Scan using items_l1/, 'ORDER BY <+> uses the L1 index');
my $l1 = $node->safe_psql(
	'postgres', q{
	SET enable_indexscan = off;
	CREATE TABLE l1_exact AS SELECT q.qid, (SELECT max(d) FROM (SELECT pattern <+> q.p AS d FROM items ORDER BY pattern <+> q.p LIMIT 10) s) AS d10 FROM items_q q;
	RESET enable_indexscan; SET enable_seqscan = off;
	SELECT round(sum(least(n, 10))::numeric / (10 * count(*)), 4)
	FROM (SELECT (SELECT count(*) FROM (SELECT pattern <+> q.p AS d FROM items ORDER BY pattern <+> q.p LIMIT 10) s WHERE s.d <= e.d10) AS n
	      FROM items_q q JOIN l1_exact e USING (qid)) r;
});
note "L1: recall\@10 at ef_search 40 = $l1";
cmp_ok($l1, '>=', 0.90, 'L1 recall@10 >= 0.90 (L1 is harder to navigate than L2 on this data)');

# build progress: a slow build (wide ef_construction) is visible while it runs
my ($bout, $berr) = ('', '');
my $build = IPC::Run::start(
	[
		'psql', '-X', '-q', '-h', $node->host, '-p', $node->port, '-d', 'postgres', '-c',
		'CREATE INDEX items_slow ON items USING snn_hnsw (pattern) WITH (ef_construction = 1000)'
	],
	'>', \$bout, '2>', \$berr);
ok( $node->poll_query_until(
		'postgres', q{
		SELECT count(*) > 0 FROM pg_stat_progress_create_index
		WHERE phase = 'building index: loading tuples' AND tuples_total = 10000
		  AND tuples_done > 0 AND tuples_done < 10000}),
	'pg_stat_progress_create_index shows the build loading tuples');
$build->finish;
is($berr, '', 'the slow build completes');

$node->stop;
done_testing();
