-- snn upgrade from 0.1.0 to 0.2.0: every change of the SQL surface between
-- the frozen sql/snn--0.1.0.sql and the fragments of sql/install/ at 0.2.0.
-- test/t/120_upgrade.pl compares an upgraded database with a fresh install
-- object by object, so a change missing here fails that test.
\echo Use "ALTER EXTENSION snn UPDATE TO '0.2.0'" to load this file. \quit
