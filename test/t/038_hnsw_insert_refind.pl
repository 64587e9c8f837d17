# snn_hnsw inserts after CREATE INDEX: each insert searches for its own
# pattern from the entry point at the repair's width (SNN_HNSW_REPAIR_EF,
# 16) and, on a miss, links the new element from the nearest element found
# with a free slot (the build's repair, one element at a time).  A table
# filled by inserts only, on clustered data with many clusters, in both
# formats: right after each of 2,000 more inserts, a search for the new
# pattern at snn.ef_search 16 (snn.iterative_scan off, the search the
# insert's check mirrors) finds it (distance 0); over the whole table a
# search for each stored pattern at ef_search 100 misses next to none (the
# later inserts can still move an early element out of the searches' way:
# that count is noted and loosely bounded).  The standby replays the links
# and answers the same.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SnnHnsw;

my $node = PostgreSQL::Test::Cluster->new('refind');
$node->init(allows_streaming => 1);
$node->append_conf('postgresql.conf', "shared_buffers = 256MB");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');
$node->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('refind_standby');
$standby->init_from_backup($node, 'base', has_streaming => 1);
$standby->start;

# How many stored patterns a search for themselves misses (first row not
# at distance 0), through the index, at ef_search 100.
sub misses
{
	my ($n, $t) = @_;
	return $n->safe_psql('postgres', qq{
		SET enable_seqscan = off; SET enable_bitmapscan = off; SET snn.ef_search = 100;
		SELECT count(*) FROM $t r
		WHERE (SELECT r.pattern <-> s.pattern FROM $t s
		       ORDER BY s.pattern <-> r.pattern LIMIT 1) > 0});
}

# Insert $n more clustered rows one at a time; after each, search for its
# pattern at ef_search 16 with snn.iterative_scan $mode ('off': the one
# search of that width the insert's own check mirrors): how many of these
# searches miss it.
sub missed_right_after
{
	my ($t, $n, $nclusters, $mode, $seed) = @_;
	return $node->safe_psql('postgres', qq{
		SET enable_seqscan = off; SET enable_bitmapscan = off; SET snn.ef_search = 16;
		SET snn.iterative_scan = $mode;
		DO \$\$ BEGIN PERFORM setseed($seed); END \$\$;
		DROP TABLE IF EXISTS ${t}_more, ${t}_missed;
		CREATE TEMP TABLE ${t}_more AS
		SELECT i, ARRAY(SELECT CASE WHEN x IS NULL
		                            THEN CASE WHEN random() < 0.1 THEN (random() * 254)::int END
		                            ELSE greatest(0, least(254, x + (random() * 40)::int - 20)) END
		                FROM unnest(ctr) WITH ORDINALITY u(x, o) ORDER BY o)::spikes AS p
		FROM generate_series(1, $n) i JOIN ${t}_centres ON c = 1 + (i * 7) % $nclusters;
		CREATE TEMP TABLE ${t}_missed (n int);
		DO \$\$
		DECLARE
			r record;
			d float8;
			missed int := 0;
		BEGIN
			FOR r IN SELECT p FROM ${t}_more ORDER BY i LOOP
				INSERT INTO $t (pattern) VALUES (r.p);
				SELECT s.pattern <-> r.p INTO d FROM $t s ORDER BY s.pattern <-> r.p LIMIT 1;
				IF d > 0 THEN
					missed := missed + 1;
				END IF;
			END LOOP;
			INSERT INTO ${t}_missed VALUES (missed);
		END
		\$\$;
		SELECT n FROM ${t}_missed});
}

my $rows = 20000;
my $nclusters = $rows / 100;
my %missed;
for my $fmt ('standard', 'compact')
{
	my $t = "ins_$fmt";
	$node->safe_psql('postgres', qq{
		CREATE TABLE $t (id bigserial PRIMARY KEY, pattern spikes(128));
		CREATE INDEX ${t}_idx ON $t USING snn_hnsw (pattern) WITH (format = $fmt)});
	# every row goes in through aminsert
	SnnHnsw::make_clustered($node, $t, $rows, 128, $nclusters, 0.17);
	my $plan = $node->safe_psql('postgres', qq{
		SET enable_seqscan = off; SET enable_bitmapscan = off;
		EXPLAIN (COSTS OFF) SELECT (SELECT s.pattern <-> r.pattern FROM $t s
		  ORDER BY s.pattern <-> r.pattern LIMIT 1) FROM $t r});
	like($plan, qr/Index Scan using ${t}_idx/, "$fmt: the self-searches use the index");
	my $now = missed_right_after($t, 2000, $nclusters, 'off', 0.29);
	note "$fmt: $now of 2000 inserts missed by a search at ef_search 16 right after";
	is($now, '0', "$fmt: right after an insert a search at ef_search 16 finds the new pattern");
	# the default iterative scan walks the same graph its own way: noted only
	my $iter = missed_right_after($t, 1000, $nclusters, 'strict_order', 0.31);
	note "$fmt: $iter of 1000 inserts missed right after by the iterative scan at ef_search 16";
	$missed{$fmt} = misses($node, $t);
	note "$fmt: $missed{$fmt} of " . ($rows + 3000)
	  . " stored patterns missed by a search for themselves at ef_search 100";
	cmp_ok($missed{$fmt}, '<=', ($rows + 3000) / 1000,
		"$fmt: at most one stored pattern in 1,000 is missed by a search for itself");
}

# the standby replays the links and answers the same
$node->wait_for_catchup($standby);
is(misses($standby, 'ins_standard'), $missed{standard}, 'the standby misses the same patterns');

$standby->stop;
$node->stop;
done_testing();
