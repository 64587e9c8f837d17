# Scale-out over postgres_fdw: a coordinator and two shards on this machine.
# 20,000 clustered patterns of 128 neurons are hash-partitioned over the two
# shards (each with its own snn_hnsw index); the coordinator keeps a plain
# copy as the single-node reference.  Checks: snn_shard_knn against an exact
# single-node search (recall), the plan (async foreign scans, ORDER BY <->
# LIMIT shipped, the shards' indexes used), snn_shard_allocate against
# snn_allocate on the same data, and a shard that is down: an error, never a
# partial answer; back up, the same answers again.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use SnnHnsw;

my $coord = PostgreSQL::Test::Cluster->new('coord');
my @shards = map { PostgreSQL::Test::Cluster->new("shard$_") } (1, 2);
for my $node ($coord, @shards)
{
	$node->init;
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION snn');
}

# shards: the same table on each; the coordinator: servers, partitions
for my $s (@shards)
{
	$s->safe_psql('postgres',
		'CREATE TABLE items (id bigint PRIMARY KEY, pattern spikes(128))');
}
$coord->safe_psql('postgres', 'CREATE EXTENSION postgres_fdw');
for my $i (1, 2)
{
	my ($host, $port) = ($shards[ $i - 1 ]->host, $shards[ $i - 1 ]->port);
	$coord->safe_psql('postgres',
		"SELECT snn_shard_create('s$i', '$host', $port, 'postgres');
		 ALTER SERVER s$i OPTIONS (ADD batch_size '1000')");
}
$coord->safe_psql('postgres', q{
	CREATE TABLE items (id bigserial, pattern spikes(128)) PARTITION BY HASH (id);
});
is( $coord->safe_psql('postgres', "SELECT string_agg(p::text, ',') FROM snn_shard_attach('items', '{s1,s2}') p"),
	'items_shard_1,items_shard_2', 'snn_shard_attach attaches one foreign partition a server');
like(
	$coord->safe_psql('postgres',
		"SELECT array_to_string(srvoptions, ' ') FROM pg_foreign_server WHERE srvname = 's1'"),
	qr/extensions=snn.*async_capable=true/,
	'the server lists snn in extensions and is async capable');

# the reference: 20,000 rows on the coordinator; the same rows through the parent
SnnHnsw::make_clustered($coord, 'ref', 20000, 128, 200, 0.17);
SnnHnsw::make_queries($coord, 'ref', 50, 0.27);
$coord->safe_psql('postgres', q{
	INSERT INTO items SELECT id, pattern FROM ref;
	SELECT setval('items_id_seq', (SELECT max(id) FROM ref));
	SELECT setval('ref_id_seq', (SELECT max(id) FROM ref));
});
my $n1 = $shards[0]->safe_psql('postgres', 'SELECT count(*) FROM items');
my $n2 = $shards[1]->safe_psql('postgres', 'SELECT count(*) FROM items');
is($n1 + $n2, 20000, "the rows are split over the shards ($n1 + $n2)");
cmp_ok($n1 * $n2, '>', 0, 'both shards hold rows');
for my $s (@shards)
{
	$s->safe_psql('postgres',
		'CREATE INDEX items_idx ON items USING snn_hnsw (pattern); ANALYZE items');
}

# exact 10th distance of every query on the single node
$coord->safe_psql('postgres', q{
	CREATE TABLE ref_exact AS
	SELECT q.qid, (SELECT max(d) FROM (SELECT pattern <-> q.p AS d FROM ref
	                                 ORDER BY pattern <-> q.p LIMIT 10) s) AS d10
	FROM ref_q q;
});

# Tie-aware recall@10 of snn_shard_knn, and how many queries got 10 rows.
sub shard_recall
{
	return $coord->safe_psql('postgres', q{
		SELECT round(sum(hits)::numeric / (10 * count(*)), 4) || ' ' || sum((n = 10)::int)
		FROM (SELECT (SELECT count(*) FILTER (WHERE s.distance <= e.d10)
		              FROM snn_shard_knn('items', q.p, 10) s) AS hits,
		             (SELECT count(*) FROM snn_shard_knn('items', q.p, 10)) AS n
		      FROM ref_q q JOIN ref_exact e USING (qid)) r;
	});
}

# shard 1 logs the plans of what it runs, to show that its index answers
$shards[0]->append_conf('postgresql.conf',
	"session_preload_libraries = 'auto_explain'\nauto_explain.log_min_duration = 0");
$shards[0]->reload;
my $logstart = -s $shards[0]->logfile;
my ($r, $full) = split / /, shard_recall();
note "sharded recall\@10 at the shards' default ef_search: $r";
cmp_ok($r, '>=', 0.95, 'snn_shard_knn recall@10 >= 0.95 against a single-node exact search');
is($full, 50, 'every query gets its 10 rows');
my $shardlog = substr(slurp_file($shards[0]->logfile), $logstart);
like($shardlog, qr/Limit.*\n.*Index Scan using items_idx on items/,
	'the shard answers ORDER BY <-> LIMIT through its snn_hnsw index');
unlike($shardlog, qr/Seq Scan on items/, 'and never by a sequential scan');
$shards[0]->append_conf('postgresql.conf', "auto_explain.log_min_duration = -1");
$shards[0]->reload;

# a wider search on the shards: the merged top 10 is the exact top 10
$_->safe_psql('postgres', 'ALTER DATABASE postgres SET snn.ef_search = 200') for @shards;
($r, $full) = split / /, shard_recall();
note "sharded recall\@10 at ef_search 200 on the shards: $r";
cmp_ok($r, '>=', 0.99, 'with a wide search on each shard the merge is exact (recall >= 0.99)');

# the plan: async foreign scans, each shipping ORDER BY <-> LIMIT k
my $q1 = $coord->safe_psql('postgres', 'SELECT p FROM ref_q WHERE qid = 1');
my $sql = $coord->safe_psql('postgres', "SELECT snn_shard_knn_query('items', 10)");
my $plan = $coord->safe_psql('postgres',
	"PREPARE k(spikes) AS $sql; EXPLAIN (VERBOSE, COSTS OFF) EXECUTE k('$q1')");
my @async = $plan =~ /Async Foreign Scan on public\.items_shard_\d/g;
is(scalar @async, 2, 'both shards are searched by async foreign scans');
my @remote = $plan =~
  /Remote SQL: SELECT id, pattern FROM public\.items WHERE \(\(pattern IS NOT NULL\)\) ORDER BY \(pattern OPERATOR\(public\.<->\) '\[[0-9_,]+\]'\) ASC NULLS LAST LIMIT 10::bigint/g;
is(scalar @remote, 2, 'each shard receives ORDER BY pattern <-> q LIMIT 10')
  or diag $plan;

# allocation: the same winners as snn_allocate on the single node
my $vig = $coord->safe_psql('postgres',
	'SELECT round((2 * percentile_cont(0.5) WITHIN GROUP (ORDER BY d))::numeric, 3)
	 FROM (SELECT (SELECT min(pattern <-> q.p) FROM ref) AS d FROM ref_q q) s');
$coord->safe_psql('postgres', q{
	SELECT setseed(0.5);
	CREATE TABLE facts AS
	SELECT qid AS fid, p FROM ref_q
	UNION ALL
	SELECT 100 + i, ARRAY(SELECT (random() * 254)::int FROM generate_series(1, 128) WHERE i > 0)::spikes
	FROM generate_series(1, 5) i;
});
my ($same, $created, $routed) = (0, 0, 0);
for my $pass (1, 2)
{
	for my $fid (1 .. 50, 101 .. 105)
	{
		my $single = $coord->safe_psql('postgres',
			"SELECT key || ' ' || round(distance::numeric, 6) || ' ' || created
			 FROM facts, snn_allocate('ref', p, $vig) WHERE fid = $fid");
		my $sharded = $coord->safe_psql('postgres',
			"SELECT key || ' ' || round(distance::numeric, 6) || ' ' || created || ' ' ||
			        (shard = (SELECT tableoid::regclass FROM items WHERE id = key))
			 FROM facts, snn_shard_allocate('items', p, $vig) WHERE fid = $fid");
		my ($sk, $sd, $sc, $sr) = split / /, $sharded;
		$same++ if "$sk $sd $sc" eq $single;
		$created++ if $sc eq 'true';
		$routed++ if $sr eq 'true';
		diag "fact $fid pass $pass: single $single, sharded $sharded"
		  if "$sk $sd $sc" ne $single;
	}
}
note "allocation at vigilance $vig: $same of 110 equal, $created created, $routed routed";
is($same, 110, 'snn_shard_allocate picks what snn_allocate picks on the single node');
is($created, 5, 'each novel fact creates one column, found again on the second pass');
is($routed, 110, 'the returned partition is the one that holds the key');

# two sessions present the same novel pattern at once: the second searched
# before the first committed its new row, so it must not create a twin
$coord->safe_psql('postgres', q{
	SELECT setseed(0.25);
	CREATE TABLE race AS
	SELECT ARRAY(SELECT (random() * 254)::int FROM generate_series(1, 128))::spikes AS p;
});
my $first = $coord->background_psql('postgres', on_error_stop => 0);
my $second = $coord->background_psql('postgres', on_error_stop => 0);
$first->query_safe('BEGIN');
is($first->query_safe(
		"SELECT created FROM race, snn_shard_allocate('items', race.p, $vig)"),
	't', 'the first session creates the novel pattern (not committed yet)');
$second->query_until(qr/started/, "\\echo started\n"
	  . "SELECT created FROM race, snn_shard_allocate('items', race.p, $vig);\n");
ok( $coord->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
	'the second session waits for the creation in flight before it searches');
$first->query_safe('COMMIT');
my ($out2, $failed2) = $second->query("SELECT 'after'");
ok(!$failed2, 'the second session waited for the creation to commit');
is($out2, "f\nafter", 'and then found the new row instead of creating a twin');
is($coord->safe_psql('postgres', 'SELECT count(*) FROM items, race WHERE items.pattern = race.p'),
	'1', 'one row for the novel pattern');

# a transaction whose shards' snapshot predates another session's creation
# cannot see that row: it fails with a serialization failure, not a twin
$coord->safe_psql('postgres', q{
	SELECT setseed(0.75);
	CREATE TABLE race2 AS
	SELECT ARRAY(SELECT (random() * 254)::int FROM generate_series(1, 128))::spikes AS p;
});
$second->query_safe('BEGIN');
is($second->query_safe(
		"SELECT created FROM race, snn_shard_allocate('items', race.p, $vig)"),
	'f', 'a transaction searches the shards (its snapshot is taken)');
is($first->query_safe(
		"SELECT created FROM race2, snn_shard_allocate('items', race2.p, $vig)"),
	't', 'another session creates a novel pattern and commits');
my ($out3, $failed3) = $second->query(
	"SELECT created FROM race2, snn_shard_allocate('items', race2.p, $vig)");
ok($failed3, 'the older transaction does not create a twin');
like($second->{stderr}, qr/concurrent snn_shard_allocate created a row/,
	'it fails with a message that says why');
$second->{stderr} = '';
$second->query('ROLLBACK');
is($second->query_safe(
		"SELECT created::text || ' ' || (distance = 0)::text FROM race2, snn_shard_allocate('items', race2.p, $vig)"),
	'false true', 'its retry finds the row');
$first->quit;
$second->quit;
is($coord->safe_psql('postgres', 'SELECT count(*) FROM items, race2 WHERE items.pattern = race2.p'),
	'1', 'one row for the second novel pattern');

# a shard down: an error that names it, never a partial answer
my $good = $coord->safe_psql('postgres',
	"SELECT string_agg(key::text, ',') FROM snn_shard_knn('items', '$q1', 10)");
# a session that already holds connections to both shards
my $bg = $coord->background_psql('postgres', on_error_stop => 0);
is($bg->query_safe("SELECT string_agg(key::text, ',') FROM snn_shard_knn('items', '$q1', 10)"),
	$good, 'a long-lived session searches both shards');
$shards[1]->stop;
my ($bgout, $bgfailed) = $bg->query(
	"SELECT string_agg(key::text, ',') FROM snn_shard_knn('items', '$q1', 10)");
ok($bgfailed, 'its cached connection to the stopped shard gives an error');
is($bgout, '', 'and no rows');
like($bg->{stderr}, qr/server "s2"/, 'naming the shard');
$bg->quit;
my ($ret, $out, $err) = $coord->psql('postgres',
	"SELECT string_agg(key::text, ',') FROM snn_shard_knn('items', '$q1', 10)");
isnt($ret, 0, 'a query with a shard down fails');
is($out, '', 'and returns no rows');
like($err, qr/could not connect to server "s2"/, 'the error names the shard that is down');
($ret, $out, $err) = $coord->psql('postgres',
	"SELECT * FROM snn_shard_allocate('items', '$q1', $vig)");
isnt($ret, 0, 'an allocation with a shard down fails');
like($err, qr/could not connect to server "s2"/, 'with the same error');
$shards[1]->start;
is( $coord->safe_psql('postgres',
		"SELECT string_agg(key::text, ',') FROM snn_shard_knn('items', '$q1', 10)"),
	$good, 'the shard back up, the same answer again');

done_testing();
