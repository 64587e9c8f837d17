# snn_hnsw under delete/insert churn: ten rounds each delete a tenth of the
# rows, VACUUM, and insert as many new ones.  New elements take the places
# VACUUM freed, so the index stays near its first size, and every live row
# is still found by its own pattern, with recall against exact search.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SnnHnsw;

my $node = PostgreSQL::Test::Cluster->new('churn');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

SnnHnsw::make_clustered($node, 'items', 5000, 128, 100, 0.31);
$node->safe_psql('postgres', 'CREATE INDEX items_idx ON items USING snn_hnsw (pattern)');
my $size0 = $node->safe_psql('postgres', "SELECT pg_relation_size('items_idx')");

for my $round (1 .. 10)
{
	$node->safe_psql('postgres', qq{
		SELECT setseed(0.$round);
		DELETE FROM items WHERE id IN (SELECT id FROM items ORDER BY random() LIMIT 500);
		VACUUM (INDEX_CLEANUP ON) items;});
	SnnHnsw::add_clustered($node, 'items', 500, 100);
}
my $size = $node->safe_psql('postgres', "SELECT pg_relation_size('items_idx')");
note "index size: $size0 bytes after the build, $size after 10 rounds of 10 % churn";
is($node->safe_psql('postgres', 'SELECT count(*) FROM items'), '5000', 'the table keeps 5000 rows');
cmp_ok($size, '<=', 1.3 * $size0,
	'the index stays within 1.3 times its first size (freed elements are reused)');

is(SnnHnsw::rows_not_found($node, 'items', 400), '0',
	'every live row is found by its own pattern');
SnnHnsw::make_queries($node, 'items', 200, 0.33);
my $r = SnnHnsw::recall_at_10($node, 'items', 'items_idx', 40);
note "after churn: recall\@10 at ef_search 40 = $r";
cmp_ok($r, '>=', 0.95, 'recall@10 >= 0.95 after churn');

# a VACUUM with nothing to delete then leaves every page as it is
$node->safe_psql('postgres', 'CREATE EXTENSION pageinspect');
my $pages = q{SELECT md5(string_agg(md5(get_raw_page('items_idx', b::int)), '' ORDER BY b))
	FROM generate_series(0, pg_relation_size('items_idx') / 8192 - 1) b};
my $before = $node->safe_psql('postgres', $pages);
$node->safe_psql('postgres', 'VACUUM items');
is($node->safe_psql('postgres', $pages), $before,
	'VACUUM after churn with nothing deleted changes no page');

$node->stop;
done_testing();
