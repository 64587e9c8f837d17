# Detector states saved by snn 0.1.0 (state file format version 1, no owner
# per stream) survive an upgrade: the fixture file written by the 0.1.0
# build (test/t/fixtures/make_detectors_v1.sh) is reloaded with its
# detector's catalog row, the scores continue exactly as the 0.1.0 build
# continued them, each stream takes its detector's owner at its next event
# (its key is hidden from that role until then, its count moves to that
# role's snn.detector_max_streams), and the next save writes version 2.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $src = $ENV{SNN_SRC} // '.';
my $fix = "$src/test/t/fixtures";

my $node = PostgreSQL::Test::Cluster->new('state_v1');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'snn'\nTimeZone = 'UTC'");
$node->start;
$node->safe_psql('postgres', qq{
	CREATE EXTENSION snn;
	CREATE ROLE legacy_owner LOGIN;
	ALTER ROLE legacy_owner SET snn.detector_max_streams = 2;
	COPY snn_detectors (id, name, config, settings, seed, frozen, actions) FROM '$fix/detectors_v1.copy';
	UPDATE snn_detectors SET owner = 'legacy_owner';
	CREATE TABLE legacy_scores (k text, i int, score float8);
	GRANT ALL ON legacy_scores TO legacy_owner;
});
$node->stop;
mkdir($node->data_dir . '/pg_snn');
PostgreSQL::Test::Utils::system_or_bail('cp', "$fix/detectors_v1.state",
	$node->data_dir . '/pg_snn/detectors.state');
my $log_at = -s $node->logfile;
$node->start;

# the same events as the 0.1.0 build fed after its restart
my $feed = q{DO $$ BEGIN FOR i IN 41..50 LOOP FOR k IN 1..2 LOOP
	INSERT INTO legacy_scores VALUES ('s' || k, i, snn_anomaly_score('legacy',
		ARRAY[sin(i * 0.3 * k) + k], 's' || k,
		timestamptz '2026-01-05 00:00:00+00' + i * interval '1 minute'));
	END LOOP; END LOOP; END $$};
my $streams = q{SELECT coalesce(stream_key, '-'), events FROM pg_stat_snn_detector_streams
	WHERE detector = 'legacy' ORDER BY events, 1};

# the first use loads the file
is($node->safe_psql('postgres', $streams), "s1|40\ns2|40",
	'both streams of the version 1 file are back with their 40 events');
like(slurp_file($node->logfile, $log_at),
	qr/reloaded 2 saved detector stream states from "pg_snn\/detectors.state" \(format version 1\)/,
	'the log says a version 1 file was reloaded');
is($node->safe_psql('postgres', $streams, extra_params => [ '-U', 'legacy_owner' ]),
	"-|40\n-|40", 'before its next event a stream has no owner: its key is hidden from the detector owner');

$node->safe_psql('postgres', $feed, extra_params => [ '-U', 'legacy_owner' ]);
my $got = $node->safe_psql('postgres',
	'SELECT k, i, score FROM legacy_scores ORDER BY i, k');
is($got, slurp_file("$fix/detectors_v1.expected") =~ s/\n+$//r,
	'the scores continue exactly as the 0.1.0 build continued them');
is($node->safe_psql('postgres', $streams, extra_params => [ '-U', 'legacy_owner' ]),
	"s1|50\ns2|50", 'after their next event the streams are the detector owner\'s (keys visible)');

# the two streams now count against legacy_owner's limit of 2
my ($rc, $out, $err) = $node->psql('postgres',
	"\\set VERBOSITY verbose\nSELECT snn_anomaly_score('legacy', ARRAY[1.0], 's3')",
	extra_params => [ '-U', 'legacy_owner' ]);
like($err, qr/53400: detector "legacy" cannot start stream "s3": the detectors of role "legacy_owner" hold 2 streams/,
	'the adopted streams count against the owner\'s snn.detector_max_streams');

# the next save writes version 2 with the owner: keys visible right after a restart
$log_at = -s $node->logfile;
$node->restart;
is($node->safe_psql('postgres', $streams, extra_params => [ '-U', 'legacy_owner' ]),
	"s1|50\ns2|50", 'after a restart the streams keep their owner');
like(slurp_file($node->logfile, $log_at),
	qr/reloaded 2 saved detector stream states from "pg_snn\/detectors.state" \(format version 2\)/,
	'the file was saved in format version 2');

$node->stop;
done_testing();
