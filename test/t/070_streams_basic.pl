# Event streams: the preload error, NOTIFY payloads (a listening session
# receives them; a rolled-back insert sends none), state persistence across a
# clean restart (scores continue exactly as without the restart), the last
# save after a crash, a corrupt state file, and concurrent inserts into one
# stream from several sessions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $cfg = '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}';
my $ens = '{"reservoir": {"neurons": 32, "ensemble": 3}, "scoring": {"warmup": 20}}';

# without shared_preload_libraries: definitions work, scoring names the setting
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION snn');
$plain->safe_psql('postgres', "SELECT snn_detector_create('d', '$cfg')");
my ($rc, $out, $err) = $plain->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT snn_anomaly_score('d', ARRAY[1.0])");
like($err, qr/55000: snn detectors need shared_preload_libraries = 'snn'/,
	'without preload: 55000 naming the setting');
$plain->stop;

my $node = PostgreSQL::Test::Cluster->new('streams');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'\nTimeZone = 'UTC'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION snn');

# NOTIFY: a listening session receives each committed anomaly as JSON
$node->safe_psql('postgres', qq{
	SELECT snn_detector_create('n', '$cfg');
	CREATE TABLE ev (id int, k text, v float8, at timestamptz);
	CREATE TRIGGER det AFTER INSERT ON ev REFERENCING NEW TABLE AS new FOR EACH STATEMENT
		EXECUTE FUNCTION snn_detect('n', 'v', 'k', 'id', 'at');
	INSERT INTO ev SELECT i, 'a', 10 + sin(i / 8.0), timestamptz '2024-01-01' + i * interval '1 min'
		FROM generate_series(1, 390) i;
});
my $bg = $node->background_psql('postgres');
$bg->query_safe('LISTEN snn_anomalies');
# rolled back: the anomaly and its notification vanish (stream b: the
# rolled-back events still taught b's state, see doc/streams.md)
$node->safe_psql('postgres', qq{
	BEGIN;
	INSERT INTO ev SELECT i, 'b', 10 + sin(i / 8.0) + CASE WHEN i = 391 THEN 500 ELSE 0 END,
		timestamptz '2024-01-01' + i * interval '1 min' FROM generate_series(1, 391) i;
	SELECT count(*) FROM snn_anomalies WHERE event_id = '391';
	ROLLBACK;
});
$node->safe_psql('postgres', q{INSERT INTO ev SELECT i, 'a', 10 + sin(i / 8.0) + CASE WHEN i = 400 THEN 40 ELSE 0 END,
	timestamptz '2024-01-01' + i * interval '1 min' FROM generate_series(392, 420) i});
my $got = $bg->query_safe("SELECT 'ping'");
my @notes = $got =~ /Asynchronous notification "snn_anomalies" with payload "(.*?)" received/g;
my $rows = $node->safe_psql('postgres', 'SELECT count(*) FROM snn_anomalies WHERE event_id::int > 391');
ok($rows >= 1, "the spike was recorded ($rows anomalies)");
is(scalar(@notes), $rows, 'one notification per committed anomaly, none for the rolled-back one');
like($notes[-1] // '', qr/"detector":"n".*"event_id":"400".*"stream_key":"a"/,
	'the payload is the anomaly row as JSON');
is($node->safe_psql('postgres', "SELECT count(*) FROM snn_anomalies WHERE event_id = '391'"),
	'0', 'no anomaly row from the rolled-back insert');
$bg->quit;

# persistence: p is fed 300 events, the server restarts, then 100 more; its
# scores equal those of r, fed the same 400 events without a restart; the
# same for an ensemble of three reservoirs (pe and re)
$node->safe_psql('postgres', qq{
	SELECT snn_detector_create('p', '$cfg');
	SELECT snn_detector_create('r', '$cfg');
	SELECT snn_detector_create('pe', '$ens');
	SELECT snn_detector_create('re', '$ens');
	CREATE TABLE series AS SELECT i, 10 + sin(i / 8.0) + CASE WHEN i = 350 THEN 30 ELSE 0 END AS v,
		timestamptz '2024-01-01' + i * interval '1 min' AS at FROM generate_series(1, 400) i;
	CREATE TABLE sr AS SELECT i, snn_anomaly_score('r', ARRAY[v], 'k', at) AS s FROM (SELECT * FROM series ORDER BY i) x;
	CREATE TABLE sp1 AS SELECT i, snn_anomaly_score('p', ARRAY[v], 'k', at) AS s FROM (SELECT * FROM series WHERE i <= 300 ORDER BY i) x;
	CREATE TABLE sre AS SELECT i, snn_anomaly_score('re', ARRAY[v], 'k', at) AS s FROM (SELECT * FROM series ORDER BY i) x;
	CREATE TABLE spe1 AS SELECT i, snn_anomaly_score('pe', ARRAY[v], 'k', at) AS s FROM (SELECT * FROM series WHERE i <= 300 ORDER BY i) x;
});
$node->restart;
ok(-f $node->data_dir . '/pg_snn/detectors.state', 'states saved at shutdown');
is($node->safe_psql('postgres', "SELECT events FROM pg_stat_snn_detectors WHERE detector = 'p'"),
	'300', 'events counted before the restart are back');
$node->safe_psql('postgres', q{CREATE TABLE sp2 AS SELECT i, snn_anomaly_score('p', ARRAY[v], 'k', at) AS s
	FROM (SELECT * FROM series WHERE i > 300 ORDER BY i) x});
is($node->safe_psql('postgres', 'SELECT count(*), count(*) FILTER (WHERE sp2.s <> sr.s) FROM sp2 JOIN sr USING (i)'),
	'100|0', 'after the restart the scores continue exactly');
$node->safe_psql('postgres', q{CREATE TABLE spe2 AS SELECT i, snn_anomaly_score('pe', ARRAY[v], 'k', at) AS s
	FROM (SELECT * FROM series WHERE i > 300 ORDER BY i) x});
is($node->safe_psql('postgres', 'SELECT count(*), count(*) FILTER (WHERE spe2.s <> sre.s) FROM spe2 JOIN sre USING (i)'),
	'100|0', 'an ensemble continues exactly after the restart too');
is($node->safe_psql('postgres', "SELECT (SELECT state_bytes FROM pg_stat_snn_detector_streams WHERE detector = 'pe') = 3 * (SELECT state_bytes FROM pg_stat_snn_detector_streams WHERE detector = 'p')"),
	't', 'the ensemble state is three reservoirs');
is($node->safe_psql('postgres', "SELECT count(*) FILTER (WHERE sre.s <> sr.s) > 0 FROM sre JOIN sr USING (i)"),
	't', 'and scores differently from one reservoir');
like(slurp_file($node->logfile), qr/snn: reloaded \d+ saved detector stream states/, 'reload logged');
is($node->safe_psql('postgres', "SELECT (SELECT bytes FROM pg_stat_snn_memory WHERE category = 'detectors') = (SELECT coalesce(sum(state_bytes), 0) FROM pg_stat_snn_detector_streams)"),
	't', 'reloaded states are counted in pg_stat_snn_memory');

# a crash brings back the last save
$node->safe_psql('postgres', 'SELECT snn_detector_save()');
$node->safe_psql('postgres', "SELECT snn_anomaly_score('p', ARRAY[1.0], 'k', '2024-02-01') FROM generate_series(1, 5)");
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', "SELECT events FROM pg_stat_snn_detectors WHERE detector = 'p'"),
	'400', 'after a crash: the state of the last save');

# a corrupt file is logged and ignored
$node->stop;
my $file = $node->data_dir . '/pg_snn/detectors.state';
open(my $fh, '+<', $file) or die;
binmode $fh;
seek($fh, 100, 0);
print $fh 'garbage';
close $fh;
$node->start;
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_snn_detector_streams"),
	'0', 'corrupt file: detectors start fresh');
is($node->safe_psql('postgres', "SELECT bytes FROM pg_stat_snn_memory WHERE category = 'detectors'"),
	'0', 'no detector memory counted for the ignored file');
like(slurp_file($node->logfile), qr/detectors.state" is corrupt or from another build; ignored/,
	'corrupt file logged');
is($node->safe_psql('postgres', "SELECT snn_anomaly_score('p', ARRAY[1.0], 'k', '2024-03-01') >= 0"),
	't', 'and scoring works');

# concurrent inserts into one stream from several sessions
$node->safe_psql('postgres', qq{
	SELECT snn_detector_create('c', '$cfg');
	CREATE TABLE cev (id bigserial, v float8, at timestamptz DEFAULT clock_timestamp());
	CREATE TRIGGER det AFTER INSERT ON cev FOR EACH ROW EXECUTE FUNCTION snn_detect('c', 'v', '', 'id', 'at');
});
$node->pgbench('-n -c 4 -j 2 -t 150', 0, [qr/processed: 600\/600/], [qr/^$/],
	'4 sessions insert into one stream',
	{ 'streams_insert' => 'INSERT INTO cev (v) VALUES (random()); INSERT INTO cev (v) SELECT random() FROM generate_series(1, 3);' });
is($node->safe_psql('postgres', "SELECT streams, events FROM pg_stat_snn_detectors WHERE detector = 'c'"),
	'1|2400', 'every event scored once, in one stream');
is($node->safe_psql('postgres', "SELECT (SELECT bytes FROM pg_stat_snn_memory WHERE category = 'detectors') = (SELECT coalesce(sum(state_bytes), 0) FROM pg_stat_snn_detector_streams)"),
	't', 'pg_stat_snn_memory counts every stream state');
$node->safe_psql('postgres', "SELECT snn_detector_drop('c')");
is($node->safe_psql('postgres', "SELECT (SELECT bytes FROM pg_stat_snn_memory WHERE category = 'detectors') = (SELECT coalesce(sum(state_bytes), 0) FROM pg_stat_snn_detector_streams)"),
	't', 'a dropped detector gives its memory back');

# Bytes of all detector states on the server.
sub detector_bytes
{
	return $node->safe_psql('postgres',
		"SELECT bytes FROM pg_stat_snn_memory WHERE category = 'detectors'");
}

# A new database with the extension and $nkeys streams of 10 events each;
# returns the bytes of its states.
sub database_with_streams
{
	my ($db, $nkeys) = @_;
	my $n = 10 * $nkeys;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, qq{
		CREATE EXTENSION snn;
		SELECT snn_detector_create('x', '$cfg');
		SELECT snn_anomaly_score('x', ARRAY[i::float8], 'k' || (i % $nkeys)) FROM generate_series(1, $n) i;
	});
	return $node->safe_psql($db, 'SELECT sum(state_bytes) FROM pg_stat_snn_detector_streams');
}

# the streams of a dropped database are freed by the worker
my $gone_bytes = database_with_streams('gone', 3);
my $before_drop = detector_bytes();
ok($gone_bytes > 0, 'the second database has three streams');
$node->safe_psql('postgres', 'DROP DATABASE gone');
ok( $node->poll_query_until('postgres',
		"SELECT bytes = $before_drop - $gone_bytes FROM pg_stat_snn_memory WHERE category = 'detectors'"),
	'the worker frees the streams of a dropped database');
like(slurp_file($node->logfile), qr/snn: freed 3 detector stream states of dropped database \d+/,
	'the sweep is logged');
is($node->safe_psql('postgres', "SELECT snn_anomaly_score('p', ARRAY[1.0], 'k', '2024-04-01') >= 0"),
	't', 'streams of other databases live on');

# DROP EXTENSION frees the streams of its database when it commits
my $x_bytes = database_with_streams('extdrop', 2);
my $with_x = detector_bytes();
ok($x_bytes > 0, 'the database has two streams');
$node->safe_psql('extdrop', 'BEGIN; DROP EXTENSION snn; ROLLBACK');
$node->safe_psql('extdrop', 'BEGIN; SAVEPOINT s; DROP EXTENSION snn; ROLLBACK TO s; COMMIT');
is($node->safe_psql('extdrop', 'SELECT streams, events FROM pg_stat_snn_detectors'),
	'2|20', 'a rolled-back DROP EXTENSION keeps the states');
$node->safe_psql('extdrop', 'DROP EXTENSION snn');
is(detector_bytes(), $with_x - $x_bytes, 'DROP EXTENSION frees the states at commit');
$node->safe_psql('extdrop', 'CREATE EXTENSION snn');
is($node->safe_psql('extdrop', 'SELECT count(*) FROM snn_stat_detector_streams()'),
	'0', 'the extension made again finds no old streams');
is($node->safe_psql('postgres', "SELECT snn_anomaly_score('p', ARRAY[1.0], 'k', '2024-05-01') >= 0"),
	't', 'streams of other databases are untouched');

$node->stop;
done_testing();
