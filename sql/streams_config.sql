-- Detector configuration and anomaly details (issue 13): the seed is never
-- rounded, two spellings of one setting are refused, and an out-of-range
-- anomaly names the column that left its range.
SET TimeZone = 'UTC';
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

-- the seed: 2^53 is the largest; above it (or below 0) 22003, never rounded
SELECT snn_detector_settings('{"seed": 9007199254740992}')->>'seed' AS largest_seed;
SELECT q AS config, pg_temp.err(format('SELECT snn_detector_settings(%L)', q)) AS error FROM (VALUES
	('{"seed": 9007199254740993}'),
	('{"seed": 18446744073709551617}'),
	('{"seed": 1e300}'),
	('{"seed": -1}'),
	('{"seed": 1.5}'),
	('{"seed": "7"}')) v(q);
SELECT pg_temp.err($$SELECT snn_detector_create('big', '{"seed": 9007199254740993}')$$) AS create_error;
SELECT count(*) AS created FROM snn_detectors WHERE name = 'big';

-- two spellings of one setting: 22023 naming both
SELECT q AS config, pg_temp.err(format('SELECT snn_detector_settings(%L)', q)) AS error FROM (VALUES
	('{"res_neurons": 40, "reservoir": {"neurons": 48}}'),
	('{"threshold": 0.6, "score_threshold": 0.7}'),
	('{"threshold": 0.6, "scoring": {"threshold": 0.7}}'),
	('{"scoring": {"threshold": 0.7}, "score_threshold": 0.7}'),
	('{"reservoir": {"model": "lif", "neuron": "alif"}}'),
	('{"encoder": {"fields": 8}, "enc_fields": 8}'),
	('{"learning": {"online": false}, "learn_online": 0}')) v(q);
-- each spelling alone still works
SELECT snn_detector_settings('{"scoring": {"threshold": 0.7}}')->>'score_threshold' AS grouped,
       snn_detector_settings('{"threshold": 0.7}')->>'score_threshold' AS short,
       snn_detector_settings('{"reservoir": {"neuron": "lif"}}')->>'res_model' AS neuron;

-- out of range names the column that left it (a daily cycle jumps 40
-- sigma; the other column is loud noise, the readout's worst prediction)
CREATE TABLE two (id int, a float8, b float8, at timestamptz);
CREATE TABLE two_flip (id int, a float8, b float8, at timestamptz);
INSERT INTO two SELECT i,
	50 + 20 * sin(2 * pi() * (i % 288) / 288) + ((i * 7919) % 101) / 101.0
		+ CASE WHEN i = 1000 THEN 566 ELSE 0 END,
	50 + 40 * (((i * 104729) % 1009) / 1009.0 - 0.5),
	timestamptz '2024-01-01' + i * interval '5 min'
FROM generate_series(0, 1050) i;
INSERT INTO two_flip SELECT id, b, a, at FROM two;
SELECT snn_detector_create('two_a', '{"n_features": 2}') > 0 AS created;
SELECT snn_detector_create('two_b', '{"n_features": 2}') > 0 AS created;
SELECT snn_detector_create('two_s', '{"n_features": 2}') > 0 AS created;
CREATE TABLE ev_two (id int, a float8, b float8, at timestamptz);
CREATE TABLE ev_flip (id int, a float8, b float8, at timestamptz);
CREATE TRIGGER det AFTER INSERT ON ev_two REFERENCING NEW TABLE AS n FOR EACH STATEMENT
	EXECUTE FUNCTION snn_detect('two_a', 'a, b', '', 'id', 'at');
CREATE TRIGGER det AFTER INSERT ON ev_flip FOR EACH ROW
	EXECUTE FUNCTION snn_detect('two_b', 'a,b', '', 'id', 'at');
INSERT INTO ev_two SELECT * FROM two ORDER BY id;
INSERT INTO ev_flip SELECT * FROM two_flip ORDER BY id;
SELECT detector, event_id, anomaly_type, feature
FROM snn_anomalies WHERE event_id = '1000' ORDER BY detector;
-- snn_anomaly_score on the same events: the jump, beyond the range of 999
-- values, alarms (the range rule after n values: 0.88 at n = 999)
CREATE TABLE s_two AS SELECT id, snn_anomaly_score('two_s', ARRAY[a, b], '', at) AS score
	FROM (SELECT * FROM two ORDER BY id) t;
SELECT id, round(score::numeric, 3) AS score, score >= 0.5 AS alarm FROM s_two WHERE id = 1000;

-- one event is one row of features: a 2-D array is refused (22000), as
-- for inference, never flattened
SELECT snn_anomaly_score('two_s', ARRAY[[1.0, 2.0]], 'flat');

DROP TABLE two, two_flip, ev_two, ev_flip, s_two;
SELECT snn_detector_drop(name) FROM snn_detectors WHERE name LIKE 'two_%' ORDER BY name;

-- the warm-up (issue 15): 0, the default, is the short window, whatever
-- the short window is; a named warm-up must be 0 or at least the short
-- window (22023); a stored configuration that names one keeps it
SELECT s->>'score_warmup' AS warmup, s->>'score_short' AS short
FROM (VALUES (snn_detector_settings('{}')),
             (snn_detector_settings('{"preset": "security"}')),
             (snn_detector_settings('{"preset": "sensor"}')),
             (snn_detector_settings('{"scoring": {"short": 8}}')),
             (snn_detector_settings('{"scoring": {"warmup": 300}}'))) v(s);
SELECT q AS config, pg_temp.err(format('SELECT snn_detector_settings(%L)', q)) AS error FROM (VALUES
	('{"scoring": {"warmup": 4}}'),
	('{"scoring": {"short": 8, "warmup": 5}}'),
	('{"scoring": {"warmup": -1}}')) v(q);
-- a value far out of range at the 7th event: scored once the short window
-- of 5 is full, 0 during an explicit warm-up of 300; after six values a new
-- extreme is weak evidence (range_history, the default), certain with
-- range_history 0 (the rule before)
SELECT snn_detector_create('warm_new', '{"reservoir": {"neurons": 32}}') > 0 AS created;
SELECT snn_detector_create('warm_old', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 300}}') > 0 AS created;
SELECT snn_detector_create('warm_certain', '{"reservoir": {"neurons": 32}, "scoring": {"range_history": 0}}') > 0 AS created;
-- a detector created before the warm-up rule with the defaults: its
-- configuration names no warm-up, its stored settings name the old default
-- (300)
INSERT INTO snn_detectors (name, config, settings, seed, actions)
SELECT 'warm_legacy', '{"reservoir": {"neurons": 32}}',
       snn_detector_settings('{"reservoir": {"neurons": 32}, "scoring": {"warmup": 300}}'), 42, 'none';
-- a detector created before the range rule counted the history: its stored
-- settings name no score_range_history, so a new extreme stays certain
INSERT INTO snn_detectors (name, config, settings, seed, actions)
SELECT 'warm_range_legacy', '{"reservoir": {"neurons": 32}}',
       snn_detector_settings('{"reservoir": {"neurons": 32}}') - 'score_range_history', 42, 'none';
SELECT i, round(snn_anomaly_score('warm_new', ARRAY[v], '', t)::numeric, 3) AS new_rule,
       snn_anomaly_score('warm_old', ARRAY[v], '', t) AS warmup_300,
       snn_anomaly_score('warm_certain', ARRAY[v], '', t) AS certain,
       snn_anomaly_score('warm_legacy', ARRAY[v], '', t) AS legacy,
       snn_anomaly_score('warm_range_legacy', ARRAY[v], '', t) AS range_legacy
FROM (SELECT i, CASE WHEN i = 7 THEN 1000 ELSE 1 + 0.1 * sin(i) END AS v,
             timestamptz '2024-01-01' + i * interval '1 min' AS t
      FROM generate_series(1, 8) i) e ORDER BY i;
SELECT snn_detector_drop(name) FROM snn_detectors WHERE name LIKE 'warm_%' ORDER BY name;
