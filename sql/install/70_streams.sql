-- snn install script, part 70: anomaly detection on event streams.
-- Definitions live in snn_detectors (kept by pg_dump); the live state of
-- each stream is in shared memory (needs shared_preload_libraries = 'snn':
-- scoring, the trigger and the statistics raise SQLSTATE 55000 without it).

CREATE FUNCTION snn_detector_new_id()
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_detector_new_id'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_new_id() IS
'internal: a detector id never reused (so a state in shared memory or on disk never meets another detector)';
REVOKE ALL ON FUNCTION snn_detector_new_id() FROM PUBLIC;

CREATE TABLE snn_detectors (
	id bigint PRIMARY KEY DEFAULT snn_detector_new_id(),
	name text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 63),
	config jsonb NOT NULL,
	settings jsonb NOT NULL,
	seed bigint NOT NULL,
	frozen boolean NOT NULL DEFAULT false,
	actions text NOT NULL CHECK (length(actions) <= 1000),
	owner regrole NOT NULL DEFAULT current_user::regrole,
	created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE snn_detectors IS 'anomaly detectors: the configuration as given, the effective settings, seed, learning frozen or not, recommended actions';
SELECT pg_catalog.pg_extension_config_dump('snn_detectors', '');
GRANT SELECT ON snn_detectors TO PUBLIC;

CREATE TABLE snn_anomalies (
	id bigserial PRIMARY KEY,
	detected_at timestamptz NOT NULL DEFAULT clock_timestamp(),
	detector text NOT NULL,
	event_id text,
	stream_key text NOT NULL,
	event_time timestamptz NOT NULL,
	score float8 NOT NULL,
	anomaly_type text NOT NULL,
	severity text NOT NULL,
	feature text,
	spike_pattern integer[] NOT NULL,
	contributing_event_ids text[] NOT NULL,
	recommended_actions text NOT NULL
);
COMMENT ON TABLE snn_anomalies IS 'anomalies found by snn_detect triggers (also sent as NOTIFY snn_anomalies)';
SELECT pg_catalog.pg_extension_config_dump('snn_anomalies', '');
SELECT pg_catalog.pg_extension_config_dump('snn_anomalies_id_seq', '');
GRANT SELECT ON snn_anomalies TO PUBLIC;

CREATE FUNCTION snn_detector_settings(config jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'snn_detector_settings'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_detector_settings(jsonb) IS
'the effective detector configuration: the preset''s defaults overridden by the given fields, validated, every field named';

CREATE FUNCTION snn_detector_preset_actions(preset text)
RETURNS text
AS 'MODULE_PATHNAME', 'snn_detector_preset_actions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_detector_preset_actions(text) IS
'the recommended-actions text of a domain preset (generic, security, performance, business, sensor)';

CREATE FUNCTION snn_detector_invalidate()
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_invalidate'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_invalidate() IS
'internal: tell every session, at commit, that a detector changed';
REVOKE ALL ON FUNCTION snn_detector_invalidate() FROM PUBLIC;

CREATE FUNCTION snn_detector_discard(id bigint, key text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_discard'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_discard(bigint, text) IS
'internal: discard the live state of a detector''s stream (all streams if key is NULL) when the transaction commits';
REVOKE ALL ON FUNCTION snn_detector_discard(bigint, text) FROM PUBLIC;

-- Management runs as the caller, checks ownership in C, and changes
-- snn_detectors as the extension's owner (src/stream_admin.c): ordinary
-- roles have no INSERT, UPDATE or DELETE on the table.
CREATE FUNCTION snn_detector_create(name text, config jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_detector_create'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_create(text, jsonb) IS
'create a named anomaly detector owned by the caller from a jsonb configuration (preset, seed, threshold, encoder, reservoir, learning, scoring); returns its id';

CREATE FUNCTION snn_detector_drop(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_drop'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_drop(text) IS
'drop a detector the caller owns; its live state is discarded when the transaction commits (anomalies already recorded stay)';

CREATE FUNCTION snn_detector_reset(name text, key text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_reset'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_reset(text, text) IS
'forget what a detector the caller owns learned, for one stream key or (NULL) all of them, when the transaction commits';

CREATE FUNCTION snn_detector_freeze(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_freeze'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_freeze(text) IS
'stop online learning of a detector the caller owns: it keeps scoring with what it has learned';

CREATE FUNCTION snn_detector_unfreeze(name text)
RETURNS void
AS 'MODULE_PATHNAME', 'snn_detector_unfreeze'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_unfreeze(text) IS
'resume online learning of a frozen detector the caller owns';

CREATE FUNCTION snn_anomaly_score(detector text, features float8[], key text DEFAULT '',
								  at timestamptz DEFAULT now())
RETURNS float8
AS 'MODULE_PATHNAME', 'snn_anomaly_score'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_anomaly_score(text, float8[], text, timestamptz) IS
'feed one event to a stream of a detector the caller owns and return its anomaly score in [0, 1] (online, causal, learns unless frozen)';

CREATE FUNCTION snn_detect()
RETURNS trigger
AS 'MODULE_PATHNAME', 'snn_detect'
LANGUAGE C;
COMMENT ON FUNCTION snn_detect() IS
'AFTER INSERT trigger (row, or statement with REFERENCING NEW TABLE): snn_detect(detector, feature columns, key column, event id column, time column) scores each event and records anomalies';

CREATE FUNCTION snn_detector_save()
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_detector_save'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION snn_detector_save() IS
'write every detector stream''s state to pg_snn/detectors.state now (also done at shutdown); returns the streams written';
REVOKE ALL ON FUNCTION snn_detector_save() FROM PUBLIC;

CREATE FUNCTION snn_stat_detector_streams(
	OUT detector_id bigint, OUT stream_key text, OUT events bigint, OUT anomalies bigint,
	OUT score_sum float8, OUT last_event timestamptz, OUT last_anomaly timestamptz,
	OUT state_bytes bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'snn_stat_detector_streams'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_stat_detector_streams() IS
'one row per live stream of this database''s detectors (behind pg_stat_snn_detectors)';

CREATE VIEW pg_stat_snn_detector_streams AS
	SELECT d.name AS detector, s.stream_key, s.events, s.anomalies,
		   CASE WHEN s.events > 0 THEN s.score_sum / s.events END AS mean_score,
		   s.last_event, s.last_anomaly, s.state_bytes
	FROM snn_stat_detector_streams() s JOIN snn_detectors d ON d.id = s.detector_id;
COMMENT ON VIEW pg_stat_snn_detector_streams IS 'one row per live stream of each detector; stream_key is NULL unless you have the privileges of the detector''s owner or of pg_read_all_stats';

CREATE VIEW pg_stat_snn_detectors AS
	SELECT d.name AS detector, d.settings->>'preset' AS preset,
		   count(s.detector_id) AS streams,
		   coalesce(sum(s.events), 0)::bigint AS events,
		   coalesce(sum(s.anomalies), 0)::bigint AS anomalies,
		   CASE WHEN sum(s.events) > 0 THEN sum(s.score_sum) / sum(s.events) END AS mean_score,
		   max(s.last_event) AS last_event,
		   max(s.last_anomaly) AS last_anomaly,
		   coalesce(sum(s.state_bytes), 0)::bigint AS state_bytes,
		   NOT d.frozen AND (d.settings->>'learn_online')::float8 <> 0 AS learning,
		   d.owner
	FROM snn_detectors d LEFT JOIN snn_stat_detector_streams() s ON s.detector_id = d.id
	GROUP BY d.id, d.name, d.settings, d.frozen, d.owner;
COMMENT ON VIEW pg_stat_snn_detectors IS 'one row per detector: streams, events, anomalies, mean score, last anomaly, state bytes, learning on or off, owner (whose snn.detector_max_streams its streams count against)';

GRANT SELECT ON pg_stat_snn_detectors, pg_stat_snn_detector_streams TO PUBLIC;

-- Export and import of what a detector learned (issue 16): owner checks
-- are inside the functions.
CREATE FUNCTION snn_detector_export(name text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'snn_detector_export'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_export(text) IS
'the learned state of every live stream of a detector (keys, statistics, reservoir, readout, memories) as one checksummed value, for snn_detector_import; owner only';

CREATE FUNCTION snn_detector_import(name text, state bytea, replace boolean DEFAULT false)
RETURNS bigint
AS 'MODULE_PATHNAME', 'snn_detector_import'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION snn_detector_import(text, bytea, boolean) IS
'install the streams of a snn_detector_export value into a detector of the same configuration and seed (replace: overwrite live streams of the same keys); returns the streams installed; owner only';
