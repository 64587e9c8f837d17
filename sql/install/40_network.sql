-- snn install script, part 40: networks.  The snn type is a flat network
-- image (architecture, parameters, weights); snn_create builds one from a
-- jsonb configuration, snn_simulate runs it on a spike train, and
-- spiketrain_raster_svg draws spike trains.

CREATE TYPE snn;

CREATE FUNCTION snn_network_in(cstring) RETURNS snn
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_network_in(cstring) IS 'text input of snn: JSON with the configuration and, optionally, the synapse tables in base64 and the training history; strict, errors name the field';

CREATE FUNCTION snn_network_out(snn) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_network_out(snn) IS 'text output of snn: JSON with every parameter, the synapse tables in base64 and the training history; reads back to the same value';

CREATE FUNCTION snn_network_recv(internal) RETURNS snn
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_network_recv(internal) IS 'binary input of snn: the network image (magic, format version, sections), fully validated';

CREATE FUNCTION snn_network_send(snn) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_network_send(snn) IS 'binary output of snn: the network image (magic, format version, sections)';

CREATE TYPE snn (
	INPUT = snn_network_in,
	OUTPUT = snn_network_out,
	RECEIVE = snn_network_recv,
	SEND = snn_network_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended,
	CATEGORY = 'S'
);
-- Category S (string): an untyped literal or a client's unknown-typed
-- parameter (psycopg sends str so) resolves to the snn overload rather than
-- being ambiguous with the network id (bigint) overloads of the runtime.
COMMENT ON TYPE snn IS 'spiking neural network: architecture, neuron parameters and synapses as one flat, relocatable image';

CREATE FUNCTION snn_create(config jsonb) RETURNS snn
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_create(jsonb) IS 'build a network from a configuration: feed-forward layers (optionally winner-take-all) or a recurrent reservoir; validated before anything is allocated, random parts reproducible from "seed"';

CREATE FUNCTION snn_info(net snn) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION snn_info(snn) IS 'architecture, sizes, synapse counts, bytes, state bytes, configuration and training history of a network';

CREATE FUNCTION snn_simulate(net snn, input spiketrain, steps integer DEFAULT NULL,
							 seed bigint DEFAULT 0, layer integer DEFAULT NULL) RETURNS spiketrain
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION snn_simulate(snn, spiketrain, integer, bigint, integer) IS 'run a network on an input spike train (NULL: no input) for steps steps (default: the train''s duration) from a state seeded by seed; returns the spikes of every neuron, or of one layer';

CREATE FUNCTION snn_simulate_stats(net snn, input spiketrain, steps integer DEFAULT NULL,
								   seed bigint DEFAULT 0, layer integer DEFAULT NULL) RETURNS jsonb
	AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION snn_simulate_stats(snn, spiketrain, integer, bigint, integer) IS 'run like snn_simulate and report spikes (in all and per layer), input and synaptic events, neuron updates and the wall time of the simulation loop';

CREATE FUNCTION spiketrain_raster_svg(train spiketrain, width integer DEFAULT 1000,
									  height integer DEFAULT 600, title text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'snn_raster_svg' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION spiketrain_raster_svg(spiketrain, integer, integer, text) IS 'raster plot of a spike train as SVG: neurons on y, steps on x, the title escaped';

CREATE FUNCTION snn_raster_svg(train spiketrain, width integer DEFAULT 1000,
							   height integer DEFAULT 600, title text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'snn_raster_svg' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION snn_raster_svg(spiketrain, integer, integer, text) IS 'deprecated alias of spiketrain_raster_svg; removed in 0.3.0';
