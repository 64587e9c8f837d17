-- snn install script, part 50: training and inference.
-- snn_train returns a trained copy of a network (the input is untouched);
-- snn_infer / snn_predict run a trained network on features; snn_energy
-- estimates the energy of an inference on neuromorphic platforms and a CPU.

CREATE FUNCTION snn_train(net snn, inputs float8[], labels anycompatiblearray, method text,
						  options jsonb DEFAULT '{}') RETURNS snn
	AS 'MODULE_PATHNAME', 'snn_train' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION snn_train(snn, float8[], anycompatiblearray, text, jsonb) IS 'train a copy of a network on samples (rows of inputs) and labels with method backprop, ridge, stdp or hebbian; labels are classes (smallint[], integer[] or bigint[]), real targets for ridge (real[], double precision[] or numeric[]: one a sample, or one row a sample), or NULL for stdp and hebbian; options as jsonb; returns the trained network with its training history';

CREATE FUNCTION snn_train_query(net snn, query text, method text,
								options jsonb DEFAULT '{}') RETURNS snn
	AS 'MODULE_PATHNAME', 'snn_train_query' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION snn_train_query(snn, text, text, jsonb) IS 'train like snn_train on the rows of a query returning (features real[] or double precision[], label integer); the label column may be left out for stdp and hebbian';

CREATE FUNCTION snn_train_history(net snn,
		OUT run integer, OUT method text, OUT epochs integer, OUT samples bigint,
		OUT loss double precision, OUT accuracy double precision, OUT converged boolean,
		OUT duration_ms double precision, OUT trained_at timestamptz)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'snn_train_history' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_train_history(snn) IS 'the training runs of a network, oldest first: method, epochs, samples, loss, accuracy (validation accuracy when there was a split), converged, duration and time';

CREATE FUNCTION snn_infer(net snn, features float8[],
		OUT predicted integer, OUT spikes spikes, OUT confidence double precision,
		OUT layer_spikes integer[], OUT steps integer, OUT synaptic_ops bigint,
		OUT neuron_updates bigint, OUT microseconds double precision)
	AS 'MODULE_PATHNAME', 'snn_infer' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_infer(snn, float8[]) IS 'run a trained network on one sample: the predicted class (first output neuron to fire), output spike times, confidence (margin to the runner-up), spikes per layer, steps, synaptic operations, neuron updates and microseconds';

CREATE FUNCTION snn_predict(net snn, features float8[]) RETURNS integer
	AS 'MODULE_PATHNAME', 'snn_predict' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict(snn, float8[]) IS 'the class a trained network predicts for one sample (first output neuron to fire); NULL when no labelled output fires';

CREATE FUNCTION snn_infer_batch(net snn, features float8[],
		OUT row_number integer, OUT predicted integer, OUT spikes spikes,
		OUT confidence double precision, OUT layer_spikes integer[], OUT steps integer,
		OUT synaptic_ops bigint, OUT neuron_updates bigint, OUT microseconds double precision)
	RETURNS SETOF record
	AS 'MODULE_PATHNAME', 'snn_infer_batch' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_infer_batch(snn, float8[]) IS 'snn_infer on every row of a two-dimensional features array, preparing the network once; one result row per sample, numbered from 1';

CREATE FUNCTION snn_predict_batch(net snn, features float8[]) RETURNS integer[]
	AS 'MODULE_PATHNAME', 'snn_predict_batch' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_batch(snn, float8[]) IS 'the predicted classes of every row of a two-dimensional features array, in row order, preparing the network once';

CREATE FUNCTION snn_energy(net snn, features float8[])
	RETURNS TABLE (platform text, synaptic_ops bigint, neuron_updates bigint,
				   energy_nj double precision, ann_equivalent_nj double precision,
				   source text)
	AS 'MODULE_PATHNAME', 'snn_energy' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_energy(snn, float8[]) IS 'estimated energy of one inference on Loihi, TrueNorth, SpiNNaker and a 45 nm CPU from published per-operation energies (estimates, see the README), beside the equivalent rate network''s multiply-accumulates';

CREATE FUNCTION snn_predict_rate(net snn, features float8[]) RETURNS integer
	AS 'MODULE_PATHNAME', 'snn_predict_rate' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_rate(snn, float8[]) IS 'the class the rate (ReLU) network behind a backprop-trained network predicts, to compare with the converted spiking network';

CREATE FUNCTION snn_predict_values(net snn, features float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'snn_predict_values' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_predict_values(snn, float8[]) IS 'the read-out values of a ridge-trained reservoir for one sample: regression outputs, or one score a class';
