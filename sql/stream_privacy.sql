-- pg_stat_snn_detector_streams hides other roles' stream keys: the owner,
-- its members, superusers and pg_read_all_stats see them; other roles see
-- the row and its counts with a NULL key.  pg_stat_snn_detectors counts
-- every stream for everyone.
CREATE ROLE sp_owner;
CREATE ROLE sp_member IN ROLE sp_owner;
CREATE ROLE sp_other;
CREATE ROLE sp_stats IN ROLE pg_read_all_stats;
SET ROLE sp_owner;
SELECT snn_detector_create('sp_det', '{"reservoir": {"neurons": 16}}') > 0 AS created;
SELECT count(snn_anomaly_score('sp_det', ARRAY[i::float8], 'secret-' || (i % 2))) AS fed
FROM generate_series(1, 6) i;
SELECT stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'sp_det' ORDER BY 1;
SET ROLE sp_member;
SELECT stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'sp_det' ORDER BY 1;
SET ROLE sp_stats;
SELECT stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'sp_det' ORDER BY 1;
SET ROLE sp_other;
SELECT stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'sp_det' ORDER BY 2;
SELECT s.stream_key, s.events FROM snn_stat_detector_streams() s
JOIN snn_detectors d ON d.id = s.detector_id WHERE d.name = 'sp_det' ORDER BY 2;
SELECT streams, events FROM pg_stat_snn_detectors WHERE detector = 'sp_det';
RESET ROLE;
SELECT stream_key, events FROM pg_stat_snn_detector_streams WHERE detector = 'sp_det' ORDER BY 1;
SET ROLE sp_owner;
SELECT snn_detector_drop('sp_det');
RESET ROLE;
DROP ROLE sp_owner, sp_member, sp_other, sp_stats;
