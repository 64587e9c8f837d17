-- The extension installs, reports its version, and reinstalls cleanly.
SELECT extname, extversion FROM pg_extension WHERE extname = 'snn';
DROP EXTENSION snn;
CREATE EXTENSION snn;
SELECT extname, extversion FROM pg_extension WHERE extname = 'snn';
-- every function of the extension is documented
SELECT p.oid::regprocedure AS undocumented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'snn'
WHERE obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY 1::text;
