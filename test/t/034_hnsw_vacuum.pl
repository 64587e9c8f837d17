# snn_hnsw VACUUM: delete a third of 10,000 clustered rows, vacuum, and the
# index no longer holds them, still finds every remaining row, keeps recall,
# replaces a deleted entry point, and takes new rows afterwards.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SnnHnsw;

my $node = PostgreSQL::Test::Cluster->new('vacuum');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

SnnHnsw::make_clustered($node, 'items', 10000, 128, 100, 0.14);
$node->safe_psql('postgres', 'CREATE INDEX items_idx ON items USING snn_hnsw (pattern)');
my $size_before = $node->safe_psql('postgres', "SELECT pg_relation_size('items_idx')");

$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 0');
my ($ret, $out, $err) = $node->psql("postgres", "VACUUM items");
is($ret, 0, 'VACUUM succeeds');
is( $node->safe_psql('postgres',
		"SELECT reltuples::int FROM pg_class WHERE relname = 'items_idx'"),
	'6667', 'the index counts only the remaining rows');

# nothing deleted comes back, even with a search as wide as the table
is( $node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET snn.ef_search = 1000;
	SELECT count(*) FROM (SELECT id FROM items
	  ORDER BY pattern <-> (SELECT pattern FROM items WHERE id = 1) LIMIT 1000) s
	WHERE id % 3 = 0}),
	'0', 'no deleted row is returned');
is(SnnHnsw::rows_not_found($node, 'items', 400), '0',
	'every remaining row is found by its own pattern');

SnnHnsw::make_queries($node, 'items', 200, 0.24);
my $r = SnnHnsw::recall_at_10($node, 'items', 'items_idx', 40);
note "after deleting a third and VACUUM: recall\@10 at ef_search 40 = $r";
cmp_ok($r, '>=', 0.95, 'recall@10 >= 0.95 after VACUUM');

# new rows reuse the heap TIDs of deleted ones; the index finds them
$node->safe_psql('postgres', SnnHnsw::insert_sql('items', 100) x 300);
is(SnnHnsw::rows_not_found($node, 'items', 400), '0',
	'rows inserted after VACUUM are found');

# delete everything of the top levels, entry point included
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 2 = 0; VACUUM items');
is(SnnHnsw::rows_not_found($node, 'items', 400), '0',
	'after a second VACUUM every row is still found');
$node->safe_psql('postgres', 'DELETE FROM items; VACUUM items');
is( $node->safe_psql('postgres',
		"SELECT count(*) FROM (SELECT id FROM items ORDER BY pattern <-> (SELECT pattern FROM items_q LIMIT 1) LIMIT 5) s"),
	'0', 'an index whose rows are all deleted answers nothing');
$node->safe_psql('postgres', SnnHnsw::insert_sql('items', 100) x 20);
is(SnnHnsw::rows_not_found($node, 'items', 40), '0',
	'and grows again from a new entry point');
cmp_ok($node->safe_psql('postgres', "SELECT pg_relation_size('items_idx')"),
	'>=', $size_before, 'space is not returned (REINDEX compacts)');

$node->stop;
done_testing();
