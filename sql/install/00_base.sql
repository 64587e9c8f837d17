-- snn install script, part 00: base objects shared by every area.

COMMENT ON EXTENSION snn IS 'spiking neural networks: TTFS pattern memory, HNSW index, simulation, training';
