# Export and import of detector states through pg_dump: what a detector
# learned is exported into a table, the database is dumped and restored
# into another database (the detectors come back from snn_detectors), the
# value is imported there, and the scores of the next events are exactly
# those of a twin detector that was never interrupted.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cfg = '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 9}';
my $node = PostgreSQL::Test::Cluster->new('export');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'\nTimeZone = 'UTC'");
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', qq{
	CREATE EXTENSION snn;
	CREATE TABLE ev AS
		SELECT i, k, 10 + sin(i / 8.0) + CASE WHEN k = 'b' THEN cos(i / 5.0) ELSE 0 END
		          + CASE WHEN i = 420 THEN 25 ELSE 0 END AS v,
		       timestamptz '2024-01-01' + i * interval '1 min' AS at
		FROM generate_series(1, 450) i, (VALUES ('a'), ('b')) keys(k);
	SELECT snn_detector_create('m', '$cfg');
	SELECT snn_detector_create('twin', '$cfg');
	CREATE TABLE ref AS SELECT i, k, snn_anomaly_score('twin', ARRAY[v], k, at) AS score
		FROM (SELECT * FROM ev ORDER BY i, k) e;
	SELECT count(snn_anomaly_score('m', ARRAY[v], k, at))
		FROM (SELECT * FROM ev WHERE i <= 300 ORDER BY i, k) e;
	CREATE TABLE saved AS SELECT name, snn_detector_export(name) AS state
		FROM snn_detectors WHERE name = 'm';
});

# dump, restore into another database
my $dump = $node->basedir . '/src.sql';
$node->command_ok([ 'pg_dump', '-d', $node->connstr('src'), '-f', $dump ], 'pg_dump');
$node->safe_psql('postgres', 'CREATE DATABASE dst');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('dst'), '-f', $dump ],
	'restore');
is($node->safe_psql('dst', "SELECT name, seed FROM snn_detectors WHERE name = 'm'"), 'm|9',
	'the detector came back with its seed');
is($node->safe_psql('dst', 'SELECT count(*) FROM pg_stat_snn_detector_streams'), '0',
	'the restored database has no live streams');
is($node->safe_psql('dst', 'SELECT snn_detector_import(name, state) FROM saved'), '2',
	'two streams imported');
is($node->safe_psql('dst', q{SELECT string_agg(stream_key || ':' || events, ',' ORDER BY stream_key)
	FROM pg_stat_snn_detector_streams WHERE detector = 'm'}), 'a:300,b:300',
	'their statistics came along');

# the next events score exactly as on the twin that was never interrupted
$node->safe_psql('dst', q{CREATE TABLE after AS SELECT i, k, snn_anomaly_score('m', ARRAY[v], k, at) AS score
	FROM (SELECT * FROM ev WHERE i > 300 ORDER BY i, k) e});
my $dst = $node->safe_psql('dst', q{SELECT string_agg(i || k || '=' || score::text, ',' ORDER BY i, k) FROM after});
my $ref = $node->safe_psql('src', q{SELECT string_agg(i || k || '=' || score::text, ',' ORDER BY i, k) FROM ref WHERE i > 300});
is(scalar(() = $dst =~ /=/g), 300, 'the 300 later events were scored');
is($dst, $ref, 'after dump, restore and import the scores continue exactly');
ok($node->safe_psql('src', q{SELECT max(score) FROM ref WHERE i = 420}) > 0.5, 'the spike is found');
# the source is untouched by all this
is($node->safe_psql('src', q{SELECT string_agg(stream_key || ':' || events, ',' ORDER BY stream_key)
	FROM pg_stat_snn_detector_streams WHERE detector = 'm'}), 'a:300,b:300', 'the source keeps its streams');

$node->stop;
done_testing();
