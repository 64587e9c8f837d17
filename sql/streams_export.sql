-- Export and import of a detector's learned state (issue 16): an export,
-- a reset and an import continue the scores exactly as without the reset;
-- a value moves to a detector of the same configuration; a damaged or
-- foreign value is refused (22P03), another configuration too (22023);
-- owner only (42501).
SET TimeZone = 'UTC';
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	DECLARE
		d text;
	BEGIN
		GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
		RETURN SQLSTATE || ' ' || SQLERRM || coalesce(' (' || nullif(d, '') || ')', '');
	END;
END $$;
-- CRC-32C as PostgreSQL computes it (to forge a valid checksum below)
CREATE FUNCTION pg_temp.crc32c(b bytea) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	t bigint[];
	c bigint;
BEGIN
	FOR i IN 0..255 LOOP
		c := i;
		FOR k IN 1..8 LOOP
			c := CASE WHEN c & 1 = 1 THEN (c >> 1) # 2197175160 ELSE c >> 1 END;
		END LOOP;
		t[i] := c;
	END LOOP;
	c := 4294967295;
	FOR i IN 0..length(b) - 1 LOOP
		c := t[(c # get_byte(b, i)) & 255] # (c >> 8);
	END LOOP;
	RETURN c # 4294967295;
END $$;
-- the value with one byte changed and the checksum made valid again
CREATE FUNCTION pg_temp.forge(v bytea, pos int) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	body bytea := substr(set_byte(v, pos, get_byte(v, pos) # (1 + pos % 255)), 1, length(v) - 4);
	c bigint := pg_temp.crc32c(body);
	tail bytea := '\x00000000';
BEGIN
	FOR i IN 0..3 LOOP
		tail := set_byte(tail, i, ((c >> (8 * i)) & 255)::int);
	END LOOP;
	RETURN body || tail;
END $$;
-- import a forged value; if it is taken, every stream must still step
CREATE FUNCTION pg_temp.try_forged(v bytea, pos int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	x bytea := pg_temp.forge(v, pos);
	sc float8;
	k text;
BEGIN
	BEGIN
		PERFORM snn_detector_import('ex_dmg', x, true);
	EXCEPTION WHEN OTHERS THEN
		RETURN 'refused ' || SQLSTATE;
	END;
	FOR k IN SELECT stream_key FROM pg_stat_snn_detector_streams WHERE detector = 'ex_dmg' LOOP
		BEGIN
			sc := snn_anomaly_score('ex_dmg', ARRAY[10.0], k, '2024-01-02');
		EXCEPTION WHEN OTHERS THEN
			RETURN 'step failed ' || SQLSTATE;
		END;
		IF NOT sc BETWEEN 0 AND 1 THEN
			RETURN 'score out of range';
		END IF;
	END LOOP;
	RETURN 'taken, steps';
END $$;

CREATE TABLE ev AS
	SELECT i, k, 10 + sin(i / 8.0) + CASE WHEN k = 'b' THEN cos(i / 5.0) ELSE 0 END
	          + CASE WHEN i = 420 THEN 25 ELSE 0 END AS v,
	       timestamptz '2024-01-01' + i * interval '1 min' AS at
	FROM generate_series(1, 450) i, (VALUES ('a'), ('b')) keys(k);
SELECT snn_detector_create('ex', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 5}') > 0 AS created;
SELECT snn_detector_create('ex_ref', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 5}') > 0 AS created;

-- the reference: every event, no interruption
CREATE TABLE ref AS SELECT i, k, snn_anomaly_score('ex_ref', ARRAY[v], k, at) AS score
	FROM (SELECT * FROM ev ORDER BY i, k) e;
-- the first 300 events, then export
CREATE TABLE first_part AS SELECT i, k, snn_anomaly_score('ex', ARRAY[v], k, at) AS score
	FROM (SELECT * FROM ev WHERE i <= 300 ORDER BY i, k) e;
CREATE TABLE saved AS SELECT snn_detector_export('ex') AS v;
SELECT length(v) > 2 * 32 AS has_states, substr(v, 1, 7) = 'SNNDEXP'::bytea AS magic,
       snn_detector_export('ex') = v AS same_again
FROM saved;
-- the value is little-endian: the byte-order mark 0x01020304 reads 04 03 02
-- 01 (bytes 13-16), the stream count 2 reads 02 00 00 00 (bytes 21-24)
SELECT substr(v, 13, 4) = '\x04030201'::bytea AS mark_le,
       substr(v, 21, 4) = '\x02000000'::bytea AS count_le
FROM saved;
-- a value of the other byte order, as a big-endian server writes it: every
-- number reversed
SET snn.detector_export_byte_order = big;
CREATE TABLE saved_big AS SELECT snn_detector_export('ex') AS v;
RESET snn.detector_export_byte_order;
SELECT substr(b.v, 13, 4) = '\x01020304'::bytea AS mark_be,
       substr(b.v, 21, 4) = '\x00000002'::bytea AS count_be,
       length(b.v) = length(s.v) AS same_length, b.v <> s.v AS differs
FROM saved_big b, saved s;

-- reset: the streams are gone; import brings them back
SELECT snn_detector_reset('ex');
SELECT count(*) AS streams_after_reset FROM pg_stat_snn_detector_streams WHERE detector = 'ex';
SELECT snn_detector_import('ex', v) AS imported FROM saved;
SELECT stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'ex' ORDER BY 1;
CREATE TABLE second_part AS SELECT i, k, snn_anomaly_score('ex', ARRAY[v], k, at) AS score
	FROM (SELECT * FROM ev WHERE i > 300 ORDER BY i, k) e;
SELECT count(*) AS events,
       count(*) FILTER (WHERE p.score IS DISTINCT FROM r.score) AS differing,
       max(r.score) FILTER (WHERE i = 420) > 0.5 AS spike_found
FROM (SELECT * FROM first_part UNION ALL SELECT * FROM second_part) p JOIN ref r USING (i, k);

-- a live stream is not overwritten unless asked
SELECT pg_temp.err($$SELECT snn_detector_import('ex', (SELECT v FROM saved))$$) AS without_replace;
SELECT snn_detector_import('ex', v, replace => true) AS replaced FROM saved;
SELECT stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'ex' ORDER BY 1;

-- a move, as dump and restore do: the detector is dropped and created
-- again with the same configuration, the saved value imported into it
SELECT snn_detector_drop('ex');
SELECT snn_detector_create('ex', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 5}') > 0 AS created;
SELECT snn_detector_import('ex', v) AS imported FROM saved;
CREATE TABLE moved AS SELECT i, k, snn_anomaly_score('ex', ARRAY[v], k, at) AS score
	FROM (SELECT * FROM ev WHERE i > 300 ORDER BY i, k) e;
SELECT count(*) AS events, count(*) FILTER (WHERE m.score IS DISTINCT FROM r.score) AS differing
FROM moved m JOIN ref r USING (i, k);
-- the value of the other byte order is converted on import: the same
-- state byte for byte (its export is the little-endian value), the same
-- scores after it
SELECT snn_detector_create('ex_be', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 5}') > 0 AS created;
SELECT snn_detector_import('ex_be', v) AS imported FROM saved_big;
SELECT snn_detector_export('ex_be') = v AS same_as_little_endian FROM saved;
CREATE TABLE moved_be AS SELECT i, k, snn_anomaly_score('ex_be', ARRAY[v], k, at) AS score
	FROM (SELECT * FROM ev WHERE i > 300 ORDER BY i, k) e;
SELECT count(*) AS events, count(*) FILTER (WHERE m.score IS DISTINCT FROM r.score) AS differing
FROM moved_be m JOIN ref r USING (i, k);
SELECT snn_detector_drop('ex_be');
-- ... or into another detector of that configuration, frozen or not
SELECT snn_detector_create('ex_copy', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 5}') > 0 AS created;
SELECT snn_detector_freeze('ex_copy');
SELECT snn_detector_import('ex_copy', v) AS imported FROM saved;
SELECT detector, stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'ex_copy' ORDER BY 2;

-- another configuration or seed: 22023 naming the difference
SELECT snn_detector_create('ex_big', '{"reservoir": {"neurons": 48}, "scoring": {"warmup": 20}, "seed": 5}') > 0 AS created;
SELECT snn_detector_create('ex_seed', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 6}') > 0 AS created;
SELECT pg_temp.err($$SELECT snn_detector_import('ex_big', (SELECT v FROM saved))$$) AS other_config;
SELECT pg_temp.err($$SELECT snn_detector_import('ex_seed', (SELECT v FROM saved))$$) AS other_seed;
SELECT count(*) AS streams_made FROM pg_stat_snn_detector_streams WHERE detector IN ('ex_big', 'ex_seed');

-- damaged values: 98 changed bytes spread over the value, truncation, a
-- foreign value: 22P03
-- and nothing installed
SELECT snn_detector_create('ex_dmg', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 5}') > 0 AS created;
SELECT count(*) AS tried, string_agg(DISTINCT left(pg_temp.err(format(
	'SELECT snn_detector_import(%L, set_byte(%L::bytea, %s, %s))', 'ex_dmg', v, pos,
	(get_byte(v, pos) # (1 + pos % 255)))), 5), ', ') AS sqlstates
FROM saved, generate_series(0, length(v) - 1, length(v) / 97) pos;
SELECT q AS value, pg_temp.err(format('SELECT snn_detector_import(%L, %s)', 'ex_dmg', q)) AS error FROM (VALUES
	($$''::bytea$$),
	($$'\x00'::bytea$$),
	($$substr((SELECT v FROM saved), 1, 200)$$),
	($$substr((SELECT v FROM saved), 1, length((SELECT v FROM saved)) - 1)$$),
	($$(SELECT v FROM saved) || '\x00'::bytea$$),
	($$overlay((SELECT v FROM saved) placing 'SNNDEXQ'::bytea from 1)$$),
	-- the byte-order mark reversed alone: read as the other byte order, the
	-- rest of the header is then wrong
	($$(SELECT overlay(v placing substr(v, 16, 1) || substr(v, 15, 1) || substr(v, 14, 1) || substr(v, 13, 1) from 13) FROM saved)$$),
	($$overlay((SELECT v FROM saved) placing '\x00000000'::bytea from 13)$$),
	($$overlay((SELECT v FROM saved) placing '\xffffffff'::bytea from 9)$$),
	($$overlay((SELECT v FROM saved) placing '\x00000000'::bytea from 17)$$),
	($$decode(repeat('ab', 5000), 'hex')$$)) t(q);
SELECT count(*) AS streams_made FROM pg_stat_snn_detector_streams WHERE detector = 'ex_dmg';
-- a forged checksum (the value itself is untrusted): bytes changed in the
-- header, a stream's record and its state are refused or, where they are
-- plain numbers (weights, statistics), taken and stepped without harm
SELECT pg_temp.crc32c(substr(v, 1, length(v) - 4)) = (get_byte(v, length(v) - 4) + 256 * get_byte(v, length(v) - 3)
	+ 65536 * get_byte(v, length(v) - 2) + 16777216::bigint * get_byte(v, length(v) - 1)) AS crc_agrees
FROM saved;
SELECT outcome, count(*) > 0 AS seen FROM (
	SELECT pg_temp.try_forged(v, pos) AS outcome
	FROM saved, unnest(ARRAY[10, 12, 40, 200, 360, 420, 458, 462, 800, 1044, 1050, 1100,
	                         5000, 20000, 40000, 60000, 84000]) pos) t
GROUP BY outcome ORDER BY outcome;
SELECT snn_detector_reset('ex_dmg');

-- an empty detector exports no streams, and imports them as none
SELECT snn_detector_import('ex_dmg', snn_detector_export('ex_dmg')) AS imported_none;

-- missing detector; owner only
SELECT pg_temp.err($$SELECT snn_detector_export('nosuch')$$) AS missing;
CREATE ROLE regress_snn_export_other;
GRANT SELECT ON saved TO regress_snn_export_other;
SET ROLE regress_snn_export_other;
SELECT pg_temp.err($$SELECT snn_detector_export('ex')$$) AS export_not_owner;
SELECT pg_temp.err($$SELECT snn_detector_import('ex_dmg', (SELECT v FROM saved))$$) AS import_not_owner;
RESET ROLE;
SELECT count(*) AS streams_made FROM pg_stat_snn_detector_streams WHERE detector = 'ex_dmg';
REVOKE SELECT ON saved FROM regress_snn_export_other;
DROP ROLE regress_snn_export_other;

-- an import makes streams like events do: beyond the owner's
-- snn.detector_max_streams it is refused (53400) and installs nothing
SELECT snn_detector_create('ex_lim', '{"reservoir": {"neurons": 32}, "scoring": {"warmup": 20}, "seed": 5}') > 0 AS created;
SET snn.detector_max_streams = 1;
SELECT pg_temp.err($$SELECT snn_detector_import('ex_lim', (SELECT v FROM saved))$$) AS over_limit;
SELECT count(*) AS streams_made FROM pg_stat_snn_detector_streams WHERE detector = 'ex_lim';
RESET snn.detector_max_streams;
SELECT snn_detector_import('ex_lim', v) > 0 AS imported FROM saved;

DROP TABLE ev, ref, first_part, second_part, saved, moved;
SELECT snn_detector_drop(name) FROM snn_detectors WHERE name LIKE 'ex%' ORDER BY name;
