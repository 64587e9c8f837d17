-- Live networks: snn_train(bigint, ...) is not strict, so the unsupervised
-- methods train with NULL labels; NULL id, inputs or method give NULL like
-- snn_train(snn, ...).  snn_spawn of an untyped network string hints at
-- a cast to snn.
CREATE TABLE rt_pat AS
SELECT i, CASE WHEN i % 2 = 0 THEN ARRAY[1,1,1,1,1,0,0,0,0,0]
               ELSE ARRAY[0,0,0,0,0,1,1,1,1,1] END::float8[] AS f
FROM generate_series(0, 99) i;
CREATE TABLE rt_ids (name text PRIMARY KEY, id bigint);
INSERT INTO rt_ids SELECT m, snn_spawn(snn_create('{"kind": "feedforward", "inputs": 10,
  "layers": [{"size": 4}], "seed": 4}')) FROM unnest(ARRAY['stdp', 'hebbian', 'nulls']) m;

-- NULL labels: the network is trained (one history record, the winners
-- of the two patterns differ) and the id comes back
SELECT name, snn_train(id, (SELECT array_agg(f ORDER BY i) FROM rt_pat), NULL, name,
                       '{"epochs": 2, "seed": 5}') = id AS returned_id
FROM rt_ids WHERE name IN ('stdp', 'hebbian') ORDER BY name;
SELECT r.name, h.method, h.samples
FROM rt_ids r, snn_train_history(snn_save(r.id)) h ORDER BY r.name, h.run;
SELECT name, snn_predict(id, ARRAY[1,1,1,1,1,0,0,0,0,0]) <>
             snn_predict(id, ARRAY[0,0,0,0,0,1,1,1,1,1]) AS distinct_winners
FROM rt_ids WHERE name = 'stdp';

-- NULL id, inputs or method: NULL, and nothing is trained
SELECT snn_train(NULL::bigint, ARRAY[[1.0]], NULL, 'stdp') IS NULL AS null_id;
SELECT snn_train(id, NULL, NULL, 'stdp') IS NULL AS null_inputs,
       snn_train(id, ARRAY[[1,1,1,1,1,0,0,0,0,0]]::float8[], NULL, NULL) IS NULL AS null_method
FROM rt_ids WHERE name = 'nulls';
SELECT count(*) AS nulls_runs FROM rt_ids r, snn_train_history(snn_save(r.id)) h
WHERE r.name = 'nulls';
-- NULL options are the defaults, as for snn_train(snn, ...)
SELECT snn_train(id, ARRAY[[1,1,1,1,1,0,0,0,0,0]]::float8[], NULL, 'stdp', NULL) = id AS null_options
FROM rt_ids WHERE name = 'nulls';
-- the labels still have to fit the inputs
SELECT snn_train(id, ARRAY[[1,1,1,1,1,0,0,0,0,0]]::float8[], ARRAY[0, 1], 'stdp')
FROM rt_ids WHERE name = 'nulls';

-- an untyped network string goes to snn_spawn(type text): the hint says to cast it
SELECT snn_spawn('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2}]}');

SELECT count(snn_dispose(id)) AS disposed FROM rt_ids;
DROP TABLE rt_pat, rt_ids;
