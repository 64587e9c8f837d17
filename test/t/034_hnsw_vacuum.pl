# snn_hnsw VACUUM: with nothing deleted it leaves the index alone; delete a
# third of 10,000 clustered rows, vacuum, and the index no longer holds
# them, still finds every remaining row, keeps recall, replaces a deleted
# entry point, and takes new rows afterwards in the space of deleted ones.
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

# a VACUUM with nothing deleted neither changes nor even reads the index:
# every page keeps its LSN, and the index's buffer counters do not move
$node->safe_psql('postgres', 'CREATE EXTENSION pageinspect');
my $lsns = q{SELECT string_agg((page_header(get_raw_page('items_idx', b::int))).lsn::text, ',' ORDER BY b)
	FROM generate_series(0, pg_relation_size('items_idx') / 8192 - 1) b;
	SELECT pg_stat_force_next_flush();};
my $lsn_before = $node->safe_psql('postgres', $lsns);
my @blocks = grep { /^\d+$/ } split /\n/, $node->safe_psql('postgres', q{
	SELECT pg_stat_clear_snapshot();
	SELECT idx_blks_read + idx_blks_hit FROM pg_statio_user_indexes WHERE indexrelname = 'items_idx';
	VACUUM items;
	SELECT pg_stat_force_next_flush();
	SELECT pg_stat_clear_snapshot();
	SELECT idx_blks_read + idx_blks_hit FROM pg_statio_user_indexes WHERE indexrelname = 'items_idx';});
is(scalar(@blocks), 2, 'buffer counters read before and after VACUUM');
is($blocks[1], $blocks[0], 'a VACUUM with nothing deleted reads no index page');
is($node->safe_psql('postgres', $lsns), $lsn_before,
	'a VACUUM with nothing deleted changes no index page');

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
	'<=', $size_before, 'new rows reuse the space of deleted ones');

$node->stop;
done_testing();
