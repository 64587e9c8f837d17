# SnnHnsw.pm: data and measurements shared by the snn_hnsw TAP tests.
#
# Clustered TTFS patterns: each cluster centre fires most neurons at a step
# in 0..200 and leaves about a fifth silent; a member jitters every spike by
# up to +-20 steps and, with probability 0.1, fires a silent neuron at a
# random step.  Queries are stored rows jittered by up to +-5 steps.
package SnnHnsw;

use strict;
use warnings;
use Test::More;

# Fill table $t (id bigserial, pattern spikes($dim)) with $n clustered rows.
sub make_clustered
{
	my ($node, $t, $n, $dim, $nclusters, $seed) = @_;
	$node->safe_psql(
		'postgres', qq{
		SELECT setseed($seed);
		CREATE TABLE IF NOT EXISTS ${t}_centres (c int, ctr int[]);
		DELETE FROM ${t}_centres;
		INSERT INTO ${t}_centres
		SELECT c, ARRAY(SELECT CASE WHEN random() < 0.2 THEN NULL
		                            ELSE (random() * 200)::int END
		                FROM generate_series(1, $dim))
		FROM generate_series(1, $nclusters) c;
		CREATE TABLE IF NOT EXISTS $t (id bigserial PRIMARY KEY, pattern spikes($dim));
		INSERT INTO $t (pattern)
		SELECT ARRAY(SELECT CASE WHEN x IS NULL
		                         THEN CASE WHEN random() < 0.1 THEN (random() * 254)::int END
		                         ELSE greatest(0, least(254, x + (random() * 40)::int - 20)) END
		             FROM unnest(ctr) WITH ORDINALITY u(x, o) ORDER BY o)::spikes
		FROM generate_series(1, $n) i JOIN ${t}_centres ON c = 1 + i % $nclusters;
	});
	return;
}

# Add $n rows to table $t around the centres make_clustered made.
sub add_clustered
{
	my ($node, $t, $n, $nclusters) = @_;
	$node->safe_psql(
		'postgres', qq{
		INSERT INTO $t (pattern)
		SELECT ARRAY(SELECT CASE WHEN x IS NULL
		                         THEN CASE WHEN random() < 0.1 THEN (random() * 254)::int END
		                         ELSE greatest(0, least(254, x + (random() * 40)::int - 20)) END
		             FROM unnest(ctr) WITH ORDINALITY u(x, o) ORDER BY o)::spikes
		FROM generate_series(1, $n) i JOIN ${t}_centres ON c = 1 + i % $nclusters;
	});
	return;
}

# The SQL of the insert of one clustered row (for pgbench scripts).
sub insert_sql
{
	my ($t, $nclusters) = @_;
	return qq{INSERT INTO $t (pattern)
		SELECT ARRAY(SELECT CASE WHEN x IS NULL
		                         THEN CASE WHEN random() < 0.1 THEN (random() * 254)::int END
		                         ELSE greatest(0, least(254, x + (random() * 40)::int - 20)) END
		             FROM unnest(ctr) WITH ORDINALITY u(x, o) ORDER BY o)::spikes
		FROM ${t}_centres WHERE c = 1 + (random() * ($nclusters - 1))::int;};
}

# Queries: $nq stored rows (every k-th), each spike jittered by +-5 steps.
sub make_queries
{
	my ($node, $t, $nq, $seed) = @_;
	$node->safe_psql(
		'postgres', qq{
		SELECT setseed($seed);
		DROP TABLE IF EXISTS ${t}_q;
		CREATE TABLE ${t}_q AS
		SELECT row_number() OVER () AS qid,
		       ARRAY(SELECT CASE WHEN x IS NULL THEN NULL
		                         ELSE greatest(0, least(254, x + (random() * 10)::int - 5)) END
		             FROM unnest(pattern::int[]) WITH ORDINALITY u(x, o) ORDER BY o)::spikes AS p
		FROM (SELECT pattern FROM $t WHERE id % 37 = 5 ORDER BY id LIMIT $nq) s;
	});
	return;
}

# Recall@10 of the index against exact search, tie-aware: an index result
# counts when its distance is within the exact 10th distance.
sub recall_at_10
{
	my ($node, $t, $index, $ef) = @_;
	$ef //= 40;
	my $plan = $node->safe_psql(
		'postgres', qq{
		SET enable_seqscan = off; SET snn.ef_search = $ef;
		EXPLAIN (COSTS OFF) SELECT id FROM $t ORDER BY pattern <-> (SELECT p FROM ${t}_q LIMIT 1) LIMIT 10;
	});
	like($plan, qr/Index Scan using $index/, "$t: the query plan uses $index");
	return $node->safe_psql(
		'postgres', qq{
		SET enable_indexscan = off;
		DROP TABLE IF EXISTS ${t}_exact;
		CREATE TABLE ${t}_exact AS
		SELECT q.qid, (SELECT max(d) FROM (SELECT pattern <-> q.p AS d FROM $t
		                                 ORDER BY pattern <-> q.p LIMIT 10) s) AS d10
		FROM ${t}_q q;
		RESET enable_indexscan;
		SET enable_seqscan = off; SET snn.ef_search = $ef;
		SELECT round(sum(least(n, 10))::numeric / (10 * count(*)), 4)
		FROM (SELECT (SELECT count(*) FROM (SELECT pattern <-> q.p AS d FROM $t
		                                    ORDER BY pattern <-> q.p LIMIT 10) s
		              WHERE s.d <= e.d10) AS n
		      FROM ${t}_q q JOIN ${t}_exact e USING (qid)) r;
	});
}

# Rows whose own pattern does not find them (at distance 0) through the index.
sub rows_not_found
{
	my ($node, $t, $ef) = @_;
	return $node->safe_psql(
		'postgres', qq{
		SET enable_seqscan = off; SET snn.ef_search = $ef;
		SELECT count(*) FROM $t r
		WHERE NOT EXISTS (SELECT 1 FROM (SELECT id FROM $t
		                                 ORDER BY pattern <-> r.pattern LIMIT $ef) s
		                  WHERE s.id = r.id);
	});
}

1;
