-- snn install script, part 30: the snn_hnsw index access method.

CREATE FUNCTION snn_hnsw_handler(internal) RETURNS index_am_handler
	AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION snn_hnsw_handler(internal) IS 'handler of the snn_hnsw index access method (HNSW graph over spikes patterns)';

CREATE ACCESS METHOD snn_hnsw TYPE INDEX HANDLER snn_hnsw_handler;
COMMENT ON ACCESS METHOD snn_hnsw IS 'approximate nearest-pattern index (HNSW graph) for spikes: ORDER BY pattern <-> $1 LIMIT k';

CREATE FUNCTION snn_hnsw_metric_l2(internal) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_hnsw_metric_l2(internal) IS 'snn_hnsw support function of spikes_l2_ops: the graph compares exact squared L2 distances';

CREATE FUNCTION snn_hnsw_metric_l1(internal) RETURNS integer
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_hnsw_metric_l1(internal) IS 'snn_hnsw support function of spikes_l1_ops: the graph compares exact L1 distances';

CREATE OPERATOR CLASS spikes_l2_ops
	DEFAULT FOR TYPE spikes USING snn_hnsw AS
	OPERATOR 1 <-> (spikes, spikes) FOR ORDER BY float_ops,
	FUNCTION 1 snn_hnsw_metric_l2(internal);

CREATE OPERATOR CLASS spikes_l1_ops
	FOR TYPE spikes USING snn_hnsw AS
	OPERATOR 1 <+> (spikes, spikes) FOR ORDER BY float_ops,
	FUNCTION 1 snn_hnsw_metric_l1(internal);
