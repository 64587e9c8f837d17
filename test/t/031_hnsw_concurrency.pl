# snn_hnsw under concurrent inserts: four sessions insert into an index that
# starts empty while searching it; afterwards, with no VACUUM, every row is
# found by its own pattern, and recall holds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SnnHnsw;

my $node = PostgreSQL::Test::Cluster->new('concurrency');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# centres only; the table and its index start empty
SnnHnsw::make_clustered($node, 'items', 0, 128, 50, 0.12);
$node->safe_psql('postgres', 'CREATE INDEX items_idx ON items USING snn_hnsw (pattern)');

my $search = q{SET snn.ef_search = 40;
SELECT id FROM items ORDER BY pattern <-> (SELECT pattern FROM items ORDER BY id DESC LIMIT 1) LIMIT 5;};
$node->pgbench(
	'--no-vacuum --client=4 --jobs=2 --transactions=500',
	0,
	[qr{processed: 2000/2000}],
	[qr{^$}],
	'four sessions insert and search at once',
	{
		'031_insert@9' => SnnHnsw::insert_sql('items', 50),
		'031_search@1' => $search,
	});

my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM items');
cmp_ok($rows, '>', 1500, "the sessions inserted $rows rows");
# no VACUUM: the inserts themselves leave no element without a way in
is(SnnHnsw::rows_not_found($node, 'items', 100), '0',
	'every row is found by its own pattern right after the inserts, without VACUUM');
# a VACUUM that deletes one row counts what the index holds
$node->safe_psql('postgres',
	'DELETE FROM items WHERE id = (SELECT max(id) FROM items); VACUUM (INDEX_CLEANUP ON) items');
is( $node->safe_psql('postgres',
		"SELECT reltuples::int FROM pg_class WHERE relname = 'items_idx'"),
	$rows - 1, 'the index holds a heap TID for every row');

SnnHnsw::make_queries($node, 'items', 100, 0.22);
my $r = SnnHnsw::recall_at_10($node, 'items', 'items_idx', 40);
note "after concurrent inserts: recall\@10 at ef_search 40 = $r";
cmp_ok($r, '>=', 0.95, 'recall@10 >= 0.95 on a graph built by concurrent inserts');

# the same pattern from many sessions at once: duplicates merge, all found
$node->pgbench(
	'--no-vacuum --client=4 --jobs=2 --transactions=30',
	0,
	[qr{processed: 120/120}],
	[qr{^$}],
	'four sessions insert one pattern at once',
	{
		'031_same' => q{INSERT INTO items (pattern) SELECT pattern FROM items WHERE id = (SELECT min(id) FROM items);},
	});
is( $node->safe_psql('postgres', q{
	SET enable_seqscan = off; SET snn.ef_search = 200;
	SELECT count(*) FROM (SELECT pattern FROM items
	  ORDER BY pattern <-> (SELECT pattern FROM items WHERE id = (SELECT min(id) FROM items)) LIMIT 200) s
	WHERE pattern = (SELECT pattern FROM items WHERE id = (SELECT min(id) FROM items))}),
	$node->safe_psql('postgres', q{
	SELECT count(*) FROM items WHERE pattern = (SELECT pattern FROM items WHERE id = (SELECT min(id) FROM items))}),
	'every copy of a concurrently duplicated pattern is found');

# allocation from four sessions at once: each of five novel patterns
# creates exactly one column, however the sessions interleave
$node->safe_psql('postgres',
	'CREATE TABLE cols (id bigserial PRIMARY KEY, pattern spikes(4)); CREATE INDEX ON cols USING snn_hnsw (pattern)');
$node->pgbench(
	'--no-vacuum --client=4 --jobs=2 --transactions=50',
	0,
	[qr{processed: 200/200}],
	[qr{^$}],
	'four sessions allocate five patterns at once',
	{
		'031_allocate' => q{\set i random(0, 4)
SELECT * FROM snn_allocate('cols', ARRAY[:i * 40 + 10, :i * 40 + 11, :i * 40 + 12, :i * 40 + 13]::spikes, 1);},
	});
is($node->safe_psql('postgres', 'SELECT count(*), count(DISTINCT pattern) FROM cols'),
	'5|5', 'each novel pattern created one column');

$node->stop;
done_testing();
