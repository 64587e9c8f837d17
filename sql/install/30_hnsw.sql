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

-- allocation of a fact to a column by lateral inhibition

CREATE FUNCTION snn_allocate(tab regclass, pattern spikes, vigilance float8,
		k integer DEFAULT 16, pattern_column name DEFAULT 'pattern',
		key_column name DEFAULT 'id',
		OUT key bigint, OUT distance float8, OUT created boolean)
	RETURNS record
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION snn_allocate(regclass, spikes, float8, integer, name, name) IS 'allocate a pattern to a column: the k nearest rows compete in a LIF winner-take-all layer (current rising with similarity inside the vigilance distance), the first to fire wins; with no candidate within vigilance a new row is inserted; returns the key, the distance and whether the row was created';
