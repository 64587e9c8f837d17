# snn_hnsw on a streaming replica: the build (logged once as whole pages),
# inserts, deletes and VACUUM (generic WAL) replay to an index that answers
# every query exactly as the primary's does.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SnnHnsw;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION snn; CREATE EXTENSION pageinspect');
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

# the build after the standby exists: its WAL is the whole index once
SnnHnsw::make_clustered($primary, 'items', 3000, 128, 30, 0.15);
my $lsn0 = $primary->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
$primary->safe_psql('postgres', 'CREATE INDEX items_idx ON items USING snn_hnsw (pattern)');
my ($wal, $size) = split /\|/, $primary->safe_psql('postgres',
	"SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$lsn0'), pg_relation_size('items_idx')");
note "CREATE INDEX wrote $wal bytes of WAL for an index of $size bytes";
cmp_ok($wal, '<', 1.25 * $size, 'the build logs the index about once (no WAL per row)');
$primary->safe_psql('postgres', SnnHnsw::insert_sql('items', 30) x 300);
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 5 = 0; VACUUM items');
$primary->safe_psql('postgres', SnnHnsw::insert_sql('items', 30) x 100);
SnnHnsw::make_queries($primary, 'items', 100, 0.25);
$primary->wait_for_catchup($standby);

my $answers = q{
	SET enable_seqscan = off; SET snn.ef_search = 40;
	SELECT string_agg(s.ids, ';' ORDER BY q.qid)
	FROM items_q q, LATERAL (SELECT string_agg(id::text, ',') AS ids
	                         FROM (SELECT id FROM items ORDER BY pattern <-> q.p LIMIT 10) x) s;
};
my $on_primary = $primary->safe_psql('postgres', $answers);
my $on_standby = $standby->safe_psql('postgres', $answers);
ok(length($on_primary) > 100, 'the primary answers the queries');
is($on_standby, $on_primary, 'the standby answers every query exactly as the primary');
like(
	$standby->safe_psql('postgres',
		'SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY pattern <-> (SELECT p FROM items_q LIMIT 1) LIMIT 10'
	),
	qr/Index Scan using items_idx/,
	'the standby plans the index scan');
# byte for byte: every page of the index is the same on both servers
my $pages = q{SELECT md5(string_agg(md5(get_raw_page('items_idx', b::int)), '' ORDER BY b))
	FROM generate_series(0, pg_relation_size('items_idx') / 8192 - 1) b};
is($standby->safe_psql('postgres', $pages), $primary->safe_psql('postgres', $pages),
	'every index page is identical on the standby');
is(SnnHnsw::rows_not_found($standby, 'items', 400), '0',
	'the standby finds every row by its own pattern');

# the standby refuses writes but the index's replay keeps following
$primary->safe_psql('postgres', SnnHnsw::insert_sql('items', 30) x 50);
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $answers), $primary->safe_psql('postgres', $answers),
	'after more inserts the standby still matches');

$standby->stop;
$primary->stop;
done_testing();
