# snn_hnsw iterative scans: no query form gets a silently short result.
# 20,000 clustered TTFS patterns of 64 neurons; every case is compared with
# exact search (no index) and must return the full LIMIT at recall >= 0.95:
# a filter of 10 % and 1 % selectivity, a cursor fetching 50 times
# ef_search, a generic plan of LIMIT $1, LIMIT (SELECT 50), a LIMIT outside
# a subquery, and half the rows deleted without VACUUM.  strict_order is
# really non-decreasing; the bounds raise SQLSTATE 54000 instead of ending
# short; a walk to the end returns every reachable row; a very selective
# filter picks another plan.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SnnHnsw;

my $node = PostgreSQL::Test::Cluster->new('iterative');
$node->init;
$node->append_conf('postgresql.conf', "autovacuum = off\n");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

my $n = 20000;
$node->safe_psql('postgres',
	'CREATE TABLE items (id bigserial PRIMARY KEY, pattern spikes(64), '
	  . 'grp int GENERATED ALWAYS AS ((id * 7919) % 100) STORED)');
SnnHnsw::make_clustered($node, 'items', $n, 64, 100, 0.17);
SnnHnsw::make_queries($node, 'items', 30, 0.27);
$node->safe_psql('postgres',
	'CREATE INDEX items_idx ON items USING snn_hnsw (pattern); ANALYZE items');

# Rows and tie-aware recall of a query form over the 30 queries: $form is
# the SQL of one query's distances (d) with Q standing for the query pattern
# and K for the number of rows; the exact answer has the same WHERE.
sub check_form
{
	my ($name, $form, $k, $where, $settings) = @_;
	$settings //= '';
	(my $idx = $form) =~ s/\bQ\b/q.p/g;
	$idx =~ s/\bK\b/$k/g;
	my $res = $node->safe_psql(
		'postgres', qq{
		SET enable_indexscan = off; SET enable_bitmapscan = off;
		CREATE TEMP TABLE ex AS
		SELECT q.qid, (SELECT max(d) FROM (SELECT pattern <-> q.p AS d FROM items
		                                   WHERE $where ORDER BY 1 LIMIT $k) s) AS dk
		FROM items_q q;
		RESET enable_indexscan; RESET enable_bitmapscan; SET enable_seqscan = off;
		$settings
		SELECT min(n) || ' ' || max(n) || ' ' || round(sum(least(hit, $k))::numeric / ($k * count(*)), 4)
		FROM (SELECT (SELECT count(*) FROM ($idx) s) AS n,
		             (SELECT count(*) FROM ($idx) s WHERE s.d <= e.dk) AS hit
		      FROM items_q q JOIN ex e USING (qid)) r;
	});
	my ($min, $max, $recall) = split / /, $res;
	note "$name: rows $min..$max of $k, recall $recall";
	is($min, $k, "$name: every query returns the full $k rows");
	cmp_ok($recall, '>=', 0.95, "$name: recall >= 0.95 against exact search");
	return;
}

# the plan of one query form, with the first query's pattern
sub plan_of
{
	my ($sql, $settings) = @_;
	$settings //= '';
	$sql =~ s/\bQ\b/(SELECT p FROM items_q WHERE qid = 1)/g;
	return $node->safe_psql('postgres', "$settings EXPLAIN (COSTS OFF) $sql");
}

# filters the index cannot check: 10 % and 1 % of the rows
my $f10 = 'SELECT pattern <-> Q AS d FROM items WHERE grp < 10 ORDER BY pattern <-> Q LIMIT K';
my $f1 = 'SELECT pattern <-> Q AS d FROM items WHERE grp = 7 ORDER BY pattern <-> Q LIMIT K';
like(plan_of($f10 =~ s/K/10/r), qr/Index Scan using items_idx.*\n.*\n.*Filter: \(grp < 10\)/,
	'a 10 % filter is planned on the index');
like(plan_of($f1 =~ s/K/10/r), qr/Index Scan using items_idx.*\n.*\n.*Filter: \(grp = 7\)/,
	'a 1 % filter is planned on the index');
check_form('filter 10 %', $f10, 10, 'grp < 10');
check_form('filter 1 %', $f1, 10, 'grp = 7');
check_form('filter 1 %, relaxed_order', $f1, 10, 'grp = 7',
	'SET snn.iterative_scan = relaxed_order;');

# a LIMIT the planner cannot see
my $sub = 'SELECT pattern <-> Q AS d FROM items ORDER BY pattern <-> Q LIMIT (SELECT K)';
like(plan_of($sub =~ s/K/50/r), qr/Index Scan using items_idx/, 'LIMIT (SELECT 50) uses the index');
check_form('LIMIT (SELECT 50)', $sub, 50, 'true');
my $outer = 'SELECT d FROM (SELECT pattern <-> Q AS d FROM items ORDER BY pattern <-> Q OFFSET 0) s LIMIT K';
like(plan_of($outer =~ s/K/100/r), qr/Index Scan using items_idx/,
	'a LIMIT outside a subquery uses the index');
check_form('LIMIT outside a subquery', $outer, 100, 'true');
check_form('LIMIT 500, far above ef_search', 'SELECT pattern <-> Q AS d FROM items ORDER BY pattern <-> Q LIMIT K',
	500, 'true');

# a cursor fetching 50 times ef_search, and a generic plan of LIMIT $1
sub exact_dk
{
	my ($qid, $k, $where) = @_;
	return $node->safe_psql('postgres',
		"SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT max(d) FROM (SELECT pattern <-> (SELECT p FROM items_q WHERE qid = $qid) AS d FROM items WHERE $where ORDER BY 1 LIMIT $k) s");
}

sub rows_recall
{
	my ($out, $k, $dk) = @_;
	my @d = grep { $_ ne '' } split /\n/, $out;
	my $hit = grep { $_ <= $dk } @d;
	return (scalar(@d), ($hit > $k ? $k : $hit) / $k);
}

my $cursor = 'SELECT pattern <-> Q FROM items ORDER BY pattern <-> Q';
like(plan_of("DECLARE c CURSOR FOR $cursor", 'BEGIN;'), qr/Index Scan using items_idx/,
	'the cursor uses the index');
my ($rmin, $rsum, $gmin, $gsum) = (1e9, 0, 1e9, 0);
for my $qid (1 .. 5)
{
	my $q = "(SELECT p FROM items_q WHERE qid = $qid)";
	my $out = $node->safe_psql('postgres',
		"SET enable_seqscan = off; BEGIN; DECLARE c CURSOR FOR SELECT pattern <-> $q FROM items ORDER BY pattern <-> $q; FETCH 2000 FROM c; COMMIT;");
	my ($rows, $rec) = rows_recall($out, 2000, exact_dk($qid, 2000, 'true'));
	$rmin = $rows if $rows < $rmin;
	$rsum += $rec;
	my $qp = $node->safe_psql('postgres', "SELECT p FROM items_q WHERE qid = $qid");
	$out = $node->safe_psql('postgres', qq{
		SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off;
		PREPARE p(spikes, int) AS SELECT pattern <-> \$1 FROM items ORDER BY pattern <-> \$1 LIMIT \$2;
		EXECUTE p('$qp', 200);
	});
	($rows, $rec) = rows_recall($out, 200, exact_dk($qid, 200, 'true'));
	$gmin = $rows if $rows < $gmin;
	$gsum += $rec;
}
note "cursor FETCH 2000: rows $rmin, recall " . $rsum / 5;
is($rmin, 2000, 'a cursor fetches 2000 rows (50 times ef_search)');
cmp_ok($rsum / 5, '>=', 0.95, 'cursor: recall >= 0.95 against exact search');
note "generic plan LIMIT \$1 = 200: rows $gmin, recall " . $gsum / 5;
is($gmin, 200, 'a generic plan of LIMIT $1 returns all 200 rows');
cmp_ok($gsum / 5, '>=', 0.95, 'generic plan: recall >= 0.95 against exact search');
like($node->safe_psql('postgres', q{
	SET plan_cache_mode = force_generic_plan;
	PREPARE p(spikes, int) AS SELECT id FROM items ORDER BY pattern <-> $1 LIMIT $2;
	EXPLAIN (COSTS OFF) EXECUTE p('[1,2,3]', 200);}),
	qr/Index Scan using items_idx/, 'the generic plan uses the index');

# strict_order is non-decreasing; relaxed_order returns the same number of rows
my $order = q{SELECT count(*) FILTER (WHERE d < prev) || ' ' || count(*) FROM
	(SELECT d, lag(d, 1, 0::float8) OVER (ORDER BY n) AS prev
	 FROM (SELECT row_number() OVER () AS n, d
	       FROM (SELECT pattern <-> (SELECT p FROM items_q WHERE qid = 3) AS d FROM items
	             ORDER BY pattern <-> (SELECT p FROM items_q WHERE qid = 3) LIMIT 5000) s) s2) s3};
is($node->safe_psql('postgres', "SET enable_seqscan = off; $order"), '0 5000',
	'strict_order: 5000 rows in non-decreasing distance');
like($node->safe_psql('postgres', "SET enable_seqscan = off; SET snn.iterative_scan = relaxed_order; $order"),
	qr/^\d+ 5000$/, 'relaxed_order: 5000 rows');

# the bounds: an error, never a short result
my ($ret, $out, $err) = $node->psql('postgres', qq{
	SET enable_seqscan = off; SET snn.max_scan_tuples = 100; \\set VERBOSITY verbose
	SELECT count(*) FROM (SELECT id FROM items ORDER BY pattern <-> (SELECT p FROM items_q WHERE qid = 2) LIMIT 101) s;});
like($err, qr/ERROR:  54000: snn_hnsw scan of index "items_idx" reached snn.max_scan_tuples \(100\)/,
	'asking past snn.max_scan_tuples raises 54000');
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SET snn.max_scan_tuples = 100;
	SELECT count(*) FROM (SELECT id FROM items ORDER BY pattern <-> (SELECT p FROM items_q WHERE qid = 2) LIMIT 100) s;}),
	'100', 'exactly snn.max_scan_tuples rows is no error');
($ret, $out, $err) = $node->psql('postgres', qq{
	SET enable_seqscan = off; SET work_mem = '64kB'; SET snn.scan_mem_multiplier = 1; \\set VERBOSITY verbose
	SELECT count(*) FROM (SELECT id FROM items ORDER BY pattern <-> (SELECT p FROM items_q WHERE qid = 2) LIMIT 5000) s;});
like($err, qr/ERROR:  54000: snn_hnsw scan of index "items_idx" needs more than snn.scan_mem_multiplier \* work_mem \(64 kB\)/,
	'a scan past its memory bound raises 54000');

# a walk to the end returns every reachable row once, then ends
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SET snn.iterative_scan = relaxed_order;
	SELECT count(*) >= 0.995 * (SELECT count(*) FROM items), count(*) = count(DISTINCT id)
	FROM (SELECT id FROM items ORDER BY pattern <-> (SELECT p FROM items_q WHERE qid = 2)) s;}),
	't|t', 'a scan without LIMIT walks the whole graph, each row once');

# off: the old single search, short results allowed, the planner refuses a LIMIT above ef_search
is($node->safe_psql('postgres', q{SET enable_seqscan = off; SET snn.iterative_scan = off;
	SELECT count(*) FROM (SELECT id FROM items ORDER BY pattern <-> (SELECT p FROM items_q WHERE qid = 2) LIMIT (SELECT 100)) s;}),
	'40', 'off: a scan returns at most ef_search elements');
unlike(plan_of('SELECT id FROM items ORDER BY pattern <-> Q LIMIT 100', 'SET snn.iterative_scan = off;'),
	qr/items_idx/, 'off: the planner does not use the index for a LIMIT above ef_search');

# a very selective filter picks another plan
unlike(plan_of('SELECT id FROM items WHERE id < 30 ORDER BY pattern <-> Q LIMIT 10'),
	qr/items_idx/, 'a filter of 0.15 % uses the primary key, not the graph');

# half the rows deleted without VACUUM
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 2 = 0');
check_form('half the rows deleted', 'SELECT pattern <-> Q AS d FROM items ORDER BY pattern <-> Q LIMIT K',
	40, 'true');
check_form('half deleted, filter 1 %', $f1, 10, 'grp = 7');

$node->stop;
done_testing();
