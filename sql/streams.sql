-- Event streams: detectors, scores, the snn_detect trigger, anomalies.
SET TimeZone = 'UTC';

-- configuration: presets, groups, validation
SELECT s->>'preset' AS preset, s->>'score_threshold' AS threshold, s->>'seed' AS seed,
       s->>'res_neurons' AS neurons
FROM (SELECT snn_detector_settings('{"preset": "security"}') s) x;
SELECT s->>'res_neurons' AS neurons, s->>'res_model' AS model, s->>'score_threshold' AS threshold,
       s->>'learn_online' AS online, s->>'seed' AS seed
FROM (SELECT snn_detector_settings('{"reservoir": {"neurons": 48, "model": "lif"},
	"threshold": 0.7, "learning": {"online": false}, "seed": 7}') s) x;
SELECT snn_detector_settings('{"res_neurons": 40}')->>'res_neurons' AS flat_name;
SELECT s->>'score_tie_spread' AS default_spread, s->>'score_memory_gap' AS gap,
       snn_detector_settings('{"scoring": {"tie_spread": 0.25}}')->>'score_tie_spread' AS spread
FROM (SELECT snn_detector_settings('{}') s) x;
SELECT snn_detector_settings('{"scoring": {"tie_spread": -1}}');
SELECT s->>'score_surprise_memory' AS surprise_memory, s->>'score_surprise_at' AS surprise_at,
       snn_detector_settings('{"scoring": {"surprise_memory": 0}}')->>'score_surprise_memory' AS off
FROM (SELECT snn_detector_settings('{}') s) x;
SELECT snn_detector_settings('{"scoring": {"surprise_at": 1.5}}');
SELECT s->>'res_ensemble' AS ensemble,
       snn_detector_settings('{"reservoir": {"ensemble": 5}}')->>'res_ensemble' AS five
FROM (SELECT snn_detector_settings('{}') s) x;
SELECT snn_detector_settings('{"reservoir": {"ensemble": 0}}');
SELECT snn_detector_settings('{"reservoir": {"ensemble": 17}}');
SELECT snn_detector_settings('{"reservoir": {"neurons": 4096, "ensemble": 16}}');
SELECT length(snn_detector_preset_actions('sensor')) > 0 AS has_actions;
SELECT snn_detector_settings('{"preset": "nosuch"}');
SELECT snn_detector_settings('{"reservoir": {"neurons": 0}}');
SELECT snn_detector_settings('{"reservoir": {"nosuch": 1}}');
SELECT snn_detector_settings('{"threshold": "high"}');
SELECT snn_detector_settings('{"seed": -1}');
SELECT snn_detector_settings('[1, 2]');

-- create, duplicate, missing
SELECT snn_detector_create('d1', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}') > 0 AS created;
SELECT snn_detector_create('d2', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}') > 0 AS created;
SELECT snn_detector_create('d1', '{}');
SELECT snn_anomaly_score('nosuch', ARRAY[1.0]);
SELECT name, seed, frozen, settings->>'res_neurons' AS neurons FROM snn_detectors ORDER BY name;

-- scores: in [0, 1], deterministic (two detectors with the same seed agree)
CREATE TABLE series AS
	SELECT i, 10 + sin(i / 8.0) + CASE WHEN i = 400 THEN 25 ELSE 0 END AS v,
	       timestamptz '2024-01-01' + i * interval '1 min' AS at
	FROM generate_series(1, 450) i;
CREATE TABLE s1 AS SELECT i, snn_anomaly_score('d1', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series ORDER BY i) s;
CREATE TABLE s2 AS SELECT i, snn_anomaly_score('d2', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series ORDER BY i) s;
SELECT count(*) AS events, bool_and(s1.score BETWEEN 0 AND 1) AS in_range,
       count(*) FILTER (WHERE s1.score <> s2.score) AS differing
FROM s1 JOIN s2 USING (i);
SELECT i FROM s1 WHERE score = (SELECT max(score) FROM s1 WHERE i > 300) AND i > 300;

-- causality: the first 300 scores do not depend on later events
SELECT snn_detector_create('d3', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}') > 0 AS created;
CREATE TABLE s3 AS SELECT i, snn_anomaly_score('d3', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series WHERE i <= 300 ORDER BY i) s;
SELECT count(*) AS compared, count(*) FILTER (WHERE s1.score <> s3.score) AS differing FROM s1 JOIN s3 USING (i);

-- streams are independent: another key starts fresh
SELECT snn_anomaly_score('d3', ARRAY[10.0], 'other', '2024-01-01') AS first_score_of_new_stream;

-- an ensemble of three reservoirs: one state of three times the bytes, other
-- scores than one reservoir's, deterministic, and it finds the same spike
SELECT snn_detector_create('e3', '{"reservoir": {"neurons": 32, "ensemble": 3}, "scoring": {"warmup": 20}}') > 0 AS created;
SELECT snn_detector_create('e3b', '{"reservoir": {"neurons": 32, "ensemble": 3}, "scoring": {"warmup": 20}}') > 0 AS created;
CREATE TABLE se AS SELECT i, snn_anomaly_score('e3', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series ORDER BY i) s;
CREATE TABLE seb AS SELECT i, snn_anomaly_score('e3b', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series ORDER BY i) s;
SELECT (SELECT state_bytes FROM pg_stat_snn_detector_streams WHERE detector = 'e3')::float8 /
       (SELECT state_bytes FROM pg_stat_snn_detector_streams WHERE detector = 'd1' AND stream_key = 'k') AS bytes_ratio,
       (SELECT bool_and(score BETWEEN 0 AND 1) FROM se) AS in_range,
       (SELECT count(*) FROM se JOIN seb USING (i) WHERE se.score <> seb.score) AS differing_twins,
       (SELECT count(*) FROM se JOIN s1 USING (i) WHERE se.score <> s1.score) > 0 AS differs_from_one;
SELECT i FROM se WHERE score = (SELECT max(score) FROM se WHERE i > 300) AND i > 300;

-- bad input
SELECT snn_anomaly_score('d1', ARRAY[1.0, 2.0]);
SELECT snn_anomaly_score('d1', ARRAY['NaN'::float8]);
SELECT snn_anomaly_score('d1', ARRAY[1e200::float8]);
SELECT snn_detector_create('lim', '{}') > 0 AS created;
SELECT snn_anomaly_score('lim', ARRAY[-1e150::float8]) >= 0 AS at_the_limit;
SELECT snn_anomaly_score('lim', ARRAY[1.0], '', '294276-12-31 23:59:59+00') BETWEEN 0 AND 1 AS last_time,
       snn_anomaly_score('lim', ARRAY[1.0], '', '4713-11-24 00:00:00+00 BC') BETWEEN 0 AND 1 AS first_time;
SELECT snn_detector_drop('lim');
SELECT snn_detector_create('narrow', '{"encoder": {"range": 0.001}}');
SELECT snn_detector_create('narrow', '{"encoder": {"width": 0}}');
SELECT snn_anomaly_score('d1', ARRAY[NULL::float8]);
SELECT snn_anomaly_score('d1', ARRAY[1.0], repeat('k', 64));
SELECT snn_anomaly_score('d1', ARRAY[1.0], 'k', 'infinity');

-- the trigger, per statement and per row, agrees with snn_anomaly_score
SELECT snn_detector_create('trg_s', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}') > 0 AS created;
SELECT snn_detector_create('trg_r', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}') > 0 AS created;
CREATE TABLE ev_s (id int, src text, v float8, at timestamptz);
CREATE TABLE ev_r (id int, src text, v float8, at timestamptz);
CREATE TABLE scores_s (event_id text, score float8);
CREATE TABLE scores_r (event_id text, score float8);
CREATE TRIGGER det AFTER INSERT ON ev_s REFERENCING NEW TABLE AS n FOR EACH STATEMENT
	EXECUTE FUNCTION snn_detect('trg_s', 'v', 'src', 'id', 'at', 'scores_s');
CREATE TRIGGER det AFTER INSERT ON ev_r FOR EACH ROW
	EXECUTE FUNCTION snn_detect('trg_r', 'v', 'src', 'id', 'at', 'scores_r');
INSERT INTO ev_s SELECT i, 'k', v, at FROM series ORDER BY i;
INSERT INTO ev_r SELECT i, 'k', v, at FROM series ORDER BY i;
SELECT count(*) AS events,
       count(*) FILTER (WHERE a.score <> s1.score) AS statement_differs,
       count(*) FILTER (WHERE b.score <> s1.score) AS row_differs
FROM s1 JOIN scores_s a ON a.event_id = s1.i::text JOIN scores_r b ON b.event_id = s1.i::text;

-- the spike at event 400 became an anomaly row, once per trigger
SELECT detector, event_id, stream_key, event_time, anomaly_type,
       severity IN ('low', 'medium', 'high', 'critical') AS rated, feature,
       cardinality(spike_pattern) > 0 AS has_pattern,
       contributing_event_ids[cardinality(contributing_event_ids)] AS last_contributing,
       recommended_actions = snn_detector_preset_actions('generic') AS preset_actions
FROM snn_anomalies WHERE event_id = '400' ORDER BY detector;
SELECT count(*) FILTER (WHERE score >= (SELECT (settings->>'score_threshold')::float8 FROM snn_detectors WHERE name = 'trg_s')) >=
       (SELECT count(*) FROM snn_anomalies WHERE detector = 'trg_s') AS alarms_are_over_threshold
FROM scores_s;

-- an event the detector cannot take fails the insert, per row and per statement
INSERT INTO ev_r VALUES (5000, 'bad', 'NaN', '2024-02-01');
INSERT INTO ev_s VALUES (5000, 'bad', 1e200, '2024-02-01');
INSERT INTO ev_r VALUES (5000, 'bad', -1e200, '2024-02-01');
SELECT count(*) AS bad_rows FROM ev_s WHERE id = 5000;
SELECT count(*) AS bad_streams FROM pg_stat_snn_detector_streams WHERE stream_key = 'bad';

-- a rolled-back insert leaves no anomaly
SELECT count(*) AS before FROM snn_anomalies;
BEGIN;
INSERT INTO ev_s VALUES (1000, 'k2', 1, '2024-02-01'), (1001, 'k2', 1, '2024-02-01 00:01');
INSERT INTO ev_s SELECT 2000 + i, 'k2', CASE WHEN i = 350 THEN 1e6 ELSE 1 + (i % 5) END,
	timestamptz '2024-02-02' + i * interval '1 min' FROM generate_series(1, 360) i;
SELECT count(*) > 0 AS anomaly_inside FROM snn_anomalies WHERE stream_key = 'k2';
ROLLBACK;
SELECT count(*) AS after FROM snn_anomalies;

-- monitoring
SELECT detector, preset, streams, events, anomalies >= 0 AS counted, mean_score BETWEEN 0 AND 1 AS mean_ok,
       state_bytes > 0 AS has_state, learning
FROM pg_stat_snn_detectors ORDER BY detector;

-- freeze and unfreeze
SELECT snn_detector_freeze('d1');
SELECT detector, learning FROM pg_stat_snn_detectors WHERE detector = 'd1';
SELECT snn_detector_unfreeze('d1');
SELECT detector, learning FROM pg_stat_snn_detectors WHERE detector = 'd1';
-- a frozen twin stops learning: after the freeze its scores part from the
-- learning twin's, before it they are equal
SELECT snn_detector_create('fa', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}') > 0 AS created;
SELECT snn_detector_create('fb', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}}') > 0 AS created;
CREATE TABLE fa1 AS SELECT i, snn_anomaly_score('fa', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series WHERE i <= 200 ORDER BY i) s;
CREATE TABLE fb1 AS SELECT i, snn_anomaly_score('fb', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series WHERE i <= 200 ORDER BY i) s;
SELECT snn_detector_freeze('fb');
CREATE TABLE fa2 AS SELECT i, snn_anomaly_score('fa', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series WHERE i > 200 ORDER BY i) s;
CREATE TABLE fb2 AS SELECT i, snn_anomaly_score('fb', ARRAY[v], 'k', at) AS score FROM (SELECT * FROM series WHERE i > 200 ORDER BY i) s;
SELECT (SELECT count(*) FROM fa1 JOIN fb1 USING (i) WHERE fa1.score <> fb1.score) AS differing_before,
       (SELECT count(*) FROM fa2 JOIN fb2 USING (i) WHERE fa2.score <> fb2.score) > 0 AS differing_after;

-- reset (one key, then all) and drop
SELECT snn_detector_reset('d3', 'other');
SELECT stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'd3' ORDER BY 1;
SELECT snn_detector_reset('d3');
SELECT streams, events FROM pg_stat_snn_detectors WHERE detector = 'd3';
BEGIN;
SELECT snn_detector_drop('d2');
ROLLBACK;
SELECT streams, events FROM pg_stat_snn_detectors WHERE detector = 'd2';
SELECT snn_detector_drop('d2');
SELECT count(*) FROM pg_stat_snn_detector_streams WHERE detector = 'd2';
SELECT snn_detector_drop('d2');

-- trigger misuse: clear errors at first use
CREATE TABLE ev_bad (id int, v float8, t text, at timestamptz);
CREATE TRIGGER bad AFTER INSERT ON ev_bad FOR EACH ROW EXECUTE FUNCTION snn_detect('d1', 'nosuch');
INSERT INTO ev_bad VALUES (1, 1, 'x', now());
DROP TRIGGER bad ON ev_bad;
CREATE TRIGGER bad AFTER INSERT ON ev_bad FOR EACH ROW EXECUTE FUNCTION snn_detect('d1', 't');
INSERT INTO ev_bad VALUES (1, 1, 'x', now());
DROP TRIGGER bad ON ev_bad;
CREATE TRIGGER bad AFTER INSERT ON ev_bad FOR EACH ROW EXECUTE FUNCTION snn_detect('d1');
INSERT INTO ev_bad VALUES (1, 1, 'x', now());
DROP TRIGGER bad ON ev_bad;
CREATE TRIGGER bad AFTER INSERT ON ev_bad FOR EACH ROW EXECUTE FUNCTION snn_detect('nosuch', 'v');
INSERT INTO ev_bad VALUES (1, 1, 'x', now());
DROP TRIGGER bad ON ev_bad;
CREATE TRIGGER bad AFTER INSERT ON ev_bad FOR EACH STATEMENT EXECUTE FUNCTION snn_detect('d1', 'v');
INSERT INTO ev_bad VALUES (1, 1, 'x', now());
DROP TRIGGER bad ON ev_bad;
CREATE TRIGGER bad BEFORE INSERT ON ev_bad FOR EACH ROW EXECUTE FUNCTION snn_detect('d1', 'v');
INSERT INTO ev_bad VALUES (1, 1, 'x', now());
DROP TRIGGER bad ON ev_bad;
CREATE TRIGGER bad AFTER INSERT ON ev_bad FOR EACH ROW EXECUTE FUNCTION snn_detect('d1', 'v', '', '', 't');
INSERT INTO ev_bad VALUES (1, 1, 'x', now());
DROP TRIGGER bad ON ev_bad;
-- NULL features are skipped, not scored
CREATE TRIGGER ok AFTER INSERT ON ev_bad FOR EACH ROW EXECUTE FUNCTION snn_detect('d1', 'v', 't', 'id', 'at');
INSERT INTO ev_bad VALUES (1, NULL, 'nullkey', now());
SELECT count(*) FROM pg_stat_snn_detector_streams WHERE stream_key = 'nullkey';
SELECT snn_detect();

-- clean up (later tests drop and recreate the extension)
DROP TABLE ev_s, ev_r, ev_bad, scores_s, scores_r, series, s1, s2, s3, se, seb, fa1, fb1, fa2, fb2;
SELECT snn_detector_drop(name) FROM snn_detectors ORDER BY name;
SELECT count(*) AS detectors_left FROM pg_stat_snn_detectors;

-- a drop inside a rolled-back savepoint keeps the detector's state
SELECT snn_detector_create('sv', '{"reservoir": {"neurons": 16}}') > 0 AS created;
SELECT snn_anomaly_score('sv', ARRAY[1.0], 'k', '2024-01-01') >= 0 AS scored;
BEGIN;
SAVEPOINT a;
SELECT snn_detector_drop('sv');
ROLLBACK TO SAVEPOINT a;
COMMIT;
SELECT events FROM pg_stat_snn_detectors WHERE detector = 'sv';
SELECT snn_detector_drop('sv');

-- ordinary roles create and own detectors; the stream limit counts every
-- stream of one role's detectors in this database (snn.detector_max_streams)
CREATE ROLE regress_snn_owner;
SET snn.detector_max_streams = 3;
SET ROLE regress_snn_owner;
SELECT snn_detector_create('lim_a', '{"reservoir": {"neurons": 16}}') > 0 AS created;
SELECT snn_detector_create('lim_b', '{"reservoir": {"neurons": 16}}') > 0 AS created;
SELECT name, owner FROM snn_detectors WHERE name LIKE 'lim%' ORDER BY name;
SELECT snn_anomaly_score('lim_a', ARRAY[1.0], 'k' || i, '2024-01-01') >= 0 AS scored
FROM generate_series(1, 2) i;
SELECT snn_anomaly_score('lim_b', ARRAY[1.0], 'k1', '2024-01-01') >= 0 AS scored;
-- a fourth stream of the same role is refused, on any of its detectors
SELECT snn_anomaly_score('lim_b', ARRAY[1.0], 'k2', '2024-01-01');
SELECT snn_anomaly_score('lim_a', ARRAY[1.0], 'k3', '2024-01-01');
-- existing streams go on
SELECT snn_anomaly_score('lim_a', ARRAY[2.0], 'k1', '2024-01-01 00:01') >= 0 AS scored;
-- the trigger obeys the same limit
CREATE TEMP TABLE lim_ev (k text, v float8);
CREATE TRIGGER det AFTER INSERT ON lim_ev FOR EACH ROW EXECUTE FUNCTION snn_detect('lim_b', 'v', 'k');
INSERT INTO lim_ev VALUES ('k1', 1);
INSERT INTO lim_ev VALUES ('new', 1);
-- the role itself cannot raise the limit
SET snn.detector_max_streams = 100;
-- a reset stream gives its place back (at commit)
SELECT snn_detector_reset('lim_a', 'k2');
SELECT snn_anomaly_score('lim_b', ARRAY[1.0], 'k2', '2024-01-01') >= 0 AS scored;
SELECT detector, streams, owner FROM pg_stat_snn_detectors WHERE detector LIKE 'lim%' ORDER BY 1;
-- a detector another role owns is out of reach
RESET ROLE;
CREATE ROLE regress_snn_other;
SET ROLE regress_snn_other;
SELECT snn_detector_create('lim_admin', '{"reservoir": {"neurons": 16}}') > 0 AS created;
SET ROLE regress_snn_owner;
SELECT snn_anomaly_score('lim_admin', ARRAY[1.0]);
SELECT snn_detector_freeze('lim_admin');
SELECT snn_detector_drop('lim_admin');
UPDATE snn_detectors SET owner = 'regress_snn_owner' WHERE name = 'lim_admin';
-- dropping gives the streams back
SELECT snn_detector_drop('lim_a');
SELECT snn_anomaly_score('lim_b', ARRAY[1.0], 'k3', '2024-01-01') >= 0 AS scored;
DROP TABLE lim_ev;
SELECT snn_detector_drop('lim_b');
RESET ROLE;
RESET snn.detector_max_streams;
SELECT snn_detector_drop('lim_admin');
DROP ROLE regress_snn_owner, regress_snn_other;
