-- The demo: pattern memory with snn (run by test/demo.sh).
CREATE EXTENSION snn;
SELECT extversion FROM pg_extension WHERE extname = 'snn';
