-- spiketrain text input under a few hundred hostile strings: random bytes,
-- mutations of valid texts and edge cases.  Every string either fails with
-- a proper SQLSTATE (never an internal error, never a crash) or yields a
-- value whose output parses back to the same value.  Deterministic: the
-- strings come from setseed().
CREATE FUNCTION pg_temp.try_train(s text, OUT state text, OUT roundtrip boolean)
LANGUAGE plpgsql AS $$
DECLARE
	v spiketrain;
BEGIN
	v := s::spiketrain;
	state := 'ok';
	roundtrip := v::text::spiketrain = v AND v::text = v::text::spiketrain::text;
EXCEPTION WHEN OTHERS THEN
	state := SQLSTATE;
	roundtrip := NULL;
END $$;

SELECT setseed(0.4242);
CREATE TEMP TABLE hostile (id serial, s text);
-- random printable strings over the alphabet of the grammar and a few others
INSERT INTO hostile (s)
SELECT string_agg(substr('{}[]@,:0123456789 neurons steps events -+x.e()', 1 + floor(random() * 46)::int, 1), '')
FROM generate_series(1, 150) g, generate_series(1, 1 + (g % 40)) i GROUP BY g;
-- valid texts with one character replaced, dropped or doubled
INSERT INTO hostile (s)
SELECT CASE g % 3
		WHEN 0 THEN overlay(base placing substr('{}[]@,:9 -x', 1 + floor(random() * 11)::int, 1) from p for 1)
		WHEN 1 THEN overlay(base placing '' from p for 1)
		ELSE overlay(base placing substr(base, p, 1) || substr(base, p, 1) from p for 1) END
FROM (SELECT g, '{neurons:4,steps:20,events:[1@0,3@0,0@7,2@19]}' AS base,
			 1 + floor(random() * 47)::int AS p
	  FROM generate_series(1, 150) g) x;
-- valid trains with random shapes, events in random order with repeats and blanks
INSERT INTO hostile (s)
SELECT format('{neurons:%s,steps:%s,events:[%s]}', n, st, coalesce(e.list, ''))
FROM (SELECT g, 1 + floor(random() * 50)::int AS n, 1 + floor(random() * 100)::int AS st,
			 floor(random() * 30)::int AS k
	  FROM generate_series(1, 60) g) x,
	LATERAL (SELECT string_agg(floor(random() * n + 0 * i)::int ||
							   CASE WHEN random() < 0.2 THEN ' @ ' ELSE '@' END ||
							   floor(random() * st)::int,
							   CASE WHEN random() < 0.3 THEN ' , ' ELSE ',' END)
			 FROM generate_series(1, k) i) e(list);
-- edge cases: huge numbers, deep nesting, long lists, control characters
INSERT INTO hostile (s) VALUES
	(repeat('{', 10000)), (repeat('@', 10000)), (repeat('9', 5000)),
	('{neurons:' || repeat('9', 400) || ',steps:1,events:[]}'),
	('{neurons:3,steps:3,events:[' || repeat('0@0,', 5000) || '0@0]}'),
	('{neurons:3,steps:3,events:[' || repeat('0@0,', 5000) || ']}'),
	('{neurons:4294967296,steps:4,events:[]}'), ('{neurons:4,steps:4294967295,events:[]}'),
	('{neurons:4,steps:4,events:[4294967296@0]}'), ('{neurons:4,steps:4,events:[0@18446744073709551617]}'),
	(E'{neurons:4,steps:4,events:[\x01]}'), (E'{neurons:4,steps:4,events:[\u00e9]}'),
	(E'{neurons:4,\fsteps:4,events:[]}'), ('{neurons:4,steps:4,events:[]}' || repeat(' ', 1000)),
	('{}'), ('[]'), ('null'), ('{neurons:,steps:,events:}');

SELECT count(*) AS strings FROM hostile;
-- outcomes by SQLSTATE: only the documented input errors appear
SELECT (t).state, count(*) FROM (SELECT pg_temp.try_train(s) AS t FROM hostile) x GROUP BY 1 ORDER BY 1;
-- every success round-trips
SELECT count(*) FILTER (WHERE (t).state = 'ok') AS accepted,
	   count(*) FILTER (WHERE (t).state = 'ok' AND (t).roundtrip) AS round_tripped,
	   count(*) FILTER (WHERE (t).state NOT IN ('ok', '22P02', '22003', '54000')) AS unexpected
FROM (SELECT pg_temp.try_train(s) AS t FROM hostile) x;
