-- Hostile text input for spikes: every malformed form with its SQLSTATE and
-- message, then a few hundred random strings (reproducible with setseed):
-- each either fails with an SQLSTATE of the documented classes or
-- round-trips, and generated lists must give exactly the expected pattern.

CREATE FUNCTION pg_temp.try_spikes(t text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN 'ok ' || t::spikes::text;
EXCEPTION WHEN others THEN
	RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;

SELECT n, replace(replace(CASE WHEN length(input) > 40 THEN left(input, 37) || '...' ELSE input END,
		E'\n', '\n'), E'\t', '\t') AS input,
	replace(replace(pg_temp.try_spikes(input), E'\n', '\n'), E'\t', '\t') AS result
FROM unnest(ARRAY[
	'', '   ', '1,2,3', '{1,2,3}', '(1,2)', '[', ']', '[1,2', '[1,', '[]', '[ ]',
	E'[\t\n]', '[,]', '[1,]', '[,1]', '[1,,2]', '[_ _]', '[1 2]', '[__]',
	'[[1]]', '[1][2]', '[1]x', '[1] ]', '[1];', '[abc]', '[1.5]', '[1e2]',
	'[0x10]', '[+]', '[-]', '[--1]', '[NaN]', '[Infinity]', '[null]', '["1"]',
	'[255]', '[-1]', '[300]', '[99999999999999999999999999999999]',
	'[4294967296]', '[1,２]', '［1］', '[١]', '[é]', E'[1,\u00a02]',
	'[' || repeat('x', 100) || ']', '[' || repeat('9', 100) || ']',
	'[' || repeat('7,', 65535) || '7]',
	E'\t[ 1 ,\n_ ]\r\n', '[-0,+3,007]', '[254]'
]) WITH ORDINALITY AS t(input, n)
ORDER BY n;

-- random strings: failures only with SQLSTATEs of class 22 or 54, successes
-- round-trip; generated lists parse exactly when every element is valid
DO $$
DECLARE
	alphabet text[] := ARRAY['[', ']', ',', '_', '0', '1', '7', '25', '254',
		'255', '-', '+', ' ', E'\t', 'x', '.', 'é', '[', ']', ',', '_', ',',
		'_', '3', ',', '9'];
	s text;
	v spikes;
	want int[];
	valid boolean;
	tok int;
	n_ok int := 0;
	n_list_ok int := 0;
	states jsonb := '{}';
BEGIN
	PERFORM setseed(0.25);
	FOR i IN 1..600 LOOP
		want := NULL;
		IF i % 3 = 0 THEN
			-- a list of steps, some out of range, with random whitespace
			s := repeat(' ', (random() * 2)::int) || '[';
			want := '{}';
			valid := true;
			FOR j IN 1..1 + (random() * 30)::int LOOP
				IF j > 1 THEN
					s := s || ',';
				END IF;
				IF random() < 0.2 THEN
					s := s || repeat(' ', (random() * 2)::int) || '_' || repeat(E'\t', (random() * 1)::int);
					want := want || NULL::int;
				ELSE
					tok := (random() * 262)::int - 3;
					s := s || ' ' || tok::text;
					want := want || tok;
					valid := valid AND tok BETWEEN 0 AND 254;
				END IF;
			END LOOP;
			s := s || ']';
		ELSIF i % 3 = 1 THEN
			-- tokens of the grammar in random order
			s := '';
			FOR j IN 1..(random() * 20)::int LOOP
				s := s || alphabet[1 + (random() * (array_length(alphabet, 1) - 1))::int];
			END LOOP;
			IF random() < 0.5 THEN
				s := '[' || s || ']';
			END IF;
		ELSE
			-- random characters, some outside ASCII
			s := '';
			FOR j IN 1..(random() * 16)::int LOOP
				s := s || chr(1 + (random() * (CASE WHEN random() < 0.7 THEN 126 ELSE 12000 END))::int);
			END LOOP;
		END IF;

		BEGIN
			v := s::spikes;
			IF v::text::spikes <> v OR (v::text)::spikes::text <> v::text THEN
				RAISE EXCEPTION 'round trip failed for %', quote_literal(s);
			END IF;
			IF want IS NOT NULL THEN
				IF NOT valid OR v::int[] IS DISTINCT FROM want THEN
					RAISE EXCEPTION 'list % parsed as %, want %', quote_literal(s), v, want;
				END IF;
				n_list_ok := n_list_ok + 1;
			END IF;
			n_ok := n_ok + 1;
		EXCEPTION WHEN others THEN
			IF SQLSTATE NOT IN ('22P02', '22003', '22023', '54000') THEN
				RAISE EXCEPTION 'unexpected % for %: %', SQLSTATE, quote_literal(s), SQLERRM;
			END IF;
			IF want IS NOT NULL AND valid THEN
				RAISE EXCEPTION 'valid list % refused: %', quote_literal(s), SQLERRM;
			END IF;
			states := jsonb_set(states, ARRAY[SQLSTATE], to_jsonb(coalesce((states ->> SQLSTATE)::int, 0) + 1));
		END;
	END LOOP;
	RAISE NOTICE 'parsed %, of them generated lists %, errors by SQLSTATE %', n_ok, n_list_ok, states;
END
$$;

-- the backend is still healthy after all of it
SELECT '[0,3,_,12]'::spikes AS alive;
