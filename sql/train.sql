-- Training and inference: every method, the query form, history, the
-- batch forms, energy estimates, text round trip and the errors.
-- Timing columns are never printed (they vary); results are checked.
SET extra_float_digits = 0;

-- a 10x10 grid of points in [0,1]^2 labelled by XOR of the halves
CREATE TABLE xor_data AS
SELECT i, ARRAY[(i % 10) / 9.0, (i / 10) / 9.0]::real[] AS f,
       ((i % 10 >= 5)::int # (i / 10 >= 5)::int) AS label
FROM generate_series(0, 99) i;
CREATE TABLE nets (name text PRIMARY KEY, net snn);
INSERT INTO nets VALUES ('ff', snn_create('{"kind": "feedforward", "inputs": 2, "seed": 3,
  "layers": [{"size": 16}, {"size": 2}]}'));

-- backprop from arrays
INSERT INTO nets
SELECT 'bp', snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM xor_data),
                       (SELECT array_agg(label ORDER BY i) FROM xor_data), 'backprop',
                       '{"epochs": 400, "patience": 400, "validation_split": 0, "seed": 7}')
FROM nets n WHERE name = 'ff';
-- the input network is untouched; the result has one history record
SELECT name, snn_info(net) ? 'history' AS has_history FROM nets ORDER BY name;
SELECT run, method, epochs, samples, loss < 0.2 AS low_loss, accuracy >= 0.95 AS accurate,
       converged, duration_ms >= 0 AS timed, trained_at <= now() + interval '1 minute' AS dated
FROM nets, snn_train_history(net) WHERE name = 'bp';
-- the spiking network classifies the grid and agrees with its rate network
SELECT avg((snn_predict(n.net, d.f) = d.label)::int) >= 0.95 AS spiking_accurate,
       avg((snn_predict_rate(n.net, d.f) = d.label)::int) >= 0.95 AS rate_accurate,
       avg((snn_predict(n.net, d.f) = snn_predict_rate(n.net, d.f))::int) >= 0.95 AS agree
FROM xor_data d, nets n WHERE n.name = 'bp';
-- one inference: the class is the first output to fire, at the last step
SELECT r.predicted, spikes_neurons(r.spikes) AS outputs,
       (spikes_to_int_array(r.spikes))[r.predicted + 1] = r.steps - 1 AS first_at_last_step,
       r.confidence BETWEEN 0 AND 1 AS confidence_ok, array_length(r.layer_spikes, 1) AS layers,
       r.steps BETWEEN 1 AND 128 AS steps_ok, r.synaptic_ops > 0 AS synops,
       r.neuron_updates = r.steps * 18 AS updates, r.microseconds >= 0 AS timed
FROM nets n, snn_infer(n.net, ARRAY[0.0, 1.0]::real[]) r WHERE n.name = 'bp';
SELECT snn_predict(net, ARRAY[0, 0]::real[]) AS p00, snn_predict(net, ARRAY[0, 1]::real[]) AS p01,
       snn_predict(net, ARRAY[1, 0]::real[]) AS p10, snn_predict(net, ARRAY[1, 1]::real[]) AS p11
FROM nets WHERE name = 'bp';
-- double precision features are accepted too
SELECT snn_predict(net, ARRAY[1.0, 0.0]::float8[]::real[]) FROM nets WHERE name = 'bp';
-- the batch forms answer like the per-row form
SELECT snn_predict_batch(net, ARRAY[[0, 0], [0, 1], [1, 0], [1, 1]]::real[]) FROM nets WHERE name = 'bp';
SELECT b.row_number, b.predicted, b.predicted = snn_predict(n.net, d.f) AS same
FROM nets n, xor_data d,
     snn_infer_batch(n.net, (SELECT array_agg(f ORDER BY i) FROM xor_data)) b
WHERE n.name = 'bp' AND d.i = b.row_number - 1 AND d.i IN (0, 9, 90, 99, 55)
ORDER BY 1;
SELECT count(*) AS rows, bool_and(b.predicted = snn_predict(n.net, d.f)) AS all_same
FROM nets n, xor_data d,
     snn_infer_batch(n.net, (SELECT array_agg(f ORDER BY i) FROM xor_data)) b
WHERE n.name = 'bp' AND d.i = b.row_number - 1;
-- several networks in one query: the prepared network follows the argument
INSERT INTO nets
SELECT 'bp_flip', snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM xor_data),
                            (SELECT array_agg(1 - label ORDER BY i) FROM xor_data), 'backprop',
                            '{"epochs": 400, "patience": 400, "validation_split": 0, "seed": 7}')
FROM nets n WHERE name = 'ff';
SELECT n.name, g, snn_predict(n.net, ARRAY[0, 1]::real[]) AS p01, (snn_infer(n.net, ARRAY[1, 1]::real[])).predicted AS p11
FROM generate_series(1, 2) g, nets n WHERE n.name IN ('bp', 'bp_flip') ORDER BY g, n.name;
-- usable in WHERE and ORDER BY
SELECT count(*) FROM xor_data d, nets n WHERE n.name = 'bp' AND snn_predict(n.net, d.f) = 1;

-- energy estimates: four platforms, energy from the published constants
SELECT e.platform, e.synaptic_ops > 0 AS synops, e.neuron_updates > 0 AS updates,
       round(e.ann_equivalent_nj::numeric, 4) AS ann_nj, e.source,
       abs(e.energy_nj - CASE e.platform
           WHEN 'loihi' THEN e.synaptic_ops * 0.0236 + e.neuron_updates * 0.052
           WHEN 'truenorth' THEN e.synaptic_ops * 0.026
           WHEN 'spinnaker' THEN e.synaptic_ops * 43.0 + e.neuron_updates * 100.0
           WHEN 'cpu_45nm' THEN e.synaptic_ops * 0.0009 + e.neuron_updates * 0.0018 END) < 1e-6 AS formula
FROM nets n, snn_energy(n.net, ARRAY[0.0, 1.0]::real[]) e WHERE n.name = 'bp';

-- a trained network survives the text form (and so pg_dump) unchanged
SELECT net::text::snn::text = net::text AS text_round_trip,
       snn_predict_batch(net::text::snn, (SELECT array_agg(f ORDER BY i) FROM xor_data)) =
       snn_predict_batch(net, (SELECT array_agg(f ORDER BY i) FROM xor_data)) AS same_answers
FROM nets WHERE name = 'bp';
-- training is deterministic for a seed (apart from the history's clock)
SELECT (snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM xor_data),
                  (SELECT array_agg(label ORDER BY i) FROM xor_data), 'backprop',
                  '{"epochs": 400, "patience": 400, "validation_split": 0, "seed": 7}')::text::jsonb
        - 'history') = (b.net::text::jsonb - 'history') AS deterministic
FROM nets n, nets b WHERE n.name = 'ff' AND b.name = 'bp';
-- training a trained network adds a second history record
SELECT array_agg(method ORDER BY run) FROM nets n,
  snn_train_history(snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM xor_data),
                              (SELECT array_agg(label ORDER BY i) FROM xor_data), 'backprop',
                              '{"epochs": 5}')) WHERE n.name = 'bp';

-- the query form, with early stopping on a validation split
SELECT h.method, h.samples, h.epochs <= 300 AS stopped, h.accuracy IS NOT NULL AS has_accuracy
FROM nets n, snn_train_history(snn_train_query(n.net,
       'SELECT f, label FROM xor_data ORDER BY i', 'backprop',
       '{"epochs": 300, "validation_split": 0.2, "patience": 20}')) h
WHERE n.name = 'ff';
-- target loss: stops as soon as the training loss is low enough
SELECT h.converged, h.loss <= 0.6 AS reached, h.epochs < 400 AS early
FROM nets n, snn_train_history(snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM xor_data),
       (SELECT array_agg(label ORDER BY i) FROM xor_data), 'backprop',
       '{"epochs": 400, "target_loss": 0.6, "validation_split": 0}')) h
WHERE n.name = 'ff';

-- ridge: a reservoir read out linearly; two classes by the first feature
CREATE TABLE lin_data AS
SELECT i, ARRAY[(i % 20) / 19.0, ((i * 7) % 20) / 19.0, 0.5]::real[] AS f,
       (i % 20 >= 10)::int AS label
FROM generate_series(0, 199) i;
INSERT INTO nets VALUES ('res', snn_create('{"kind": "reservoir", "inputs": 3, "size": 60, "seed": 2,
  "dt": 1, "input_connectivity": 0.5, "input_scaling": 20}'));
INSERT INTO nets SELECT 'ridge', snn_train_query(net, 'SELECT f, label FROM lin_data ORDER BY i',
  'ridge', '{"alpha": 0.1, "steps": 50}') FROM nets WHERE name = 'res';
SELECT method, epochs, samples, accuracy >= 0.9 AS fits, converged
FROM nets, snn_train_history(net) WHERE name = 'ridge';
SELECT avg((snn_predict(n.net, d.f) = d.label)::int) >= 0.9 AS ridge_accurate
FROM lin_data d, nets n WHERE n.name = 'ridge';
SELECT r.predicted, spikes_neurons(r.spikes) AS outputs, r.steps, r.layer_spikes[1] > 0 AS spiked,
       r.confidence BETWEEN 0 AND 1 AS confidence_ok
FROM nets n, snn_infer(n.net, ARRAY[1, 0.5, 0.5]::real[]) r WHERE n.name = 'ridge';
SELECT snn_predict(net, ARRAY[0, 0.5, 0.5]::real[]) AS low, snn_predict(net, ARRAY[1, 0.5, 0.5]::real[]) AS high
FROM nets WHERE name = 'ridge';
SELECT count(*) AS platforms FROM nets n, snn_energy(n.net, ARRAY[1, 0.5, 0.5]::real[]) WHERE n.name = 'ridge';

-- ridge regression: real targets y = 2 x0 + 1 (array and query forms)
CREATE TABLE reg_data AS
SELECT i, ARRAY[(i % 20) / 19.0, ((i * 7) % 20) / 19.0]::real[] AS f,
       ((i % 20) / 19.0 * 2 + 1)::real AS y
FROM generate_series(0, 199) i;
INSERT INTO nets VALUES ('res2', snn_create('{"kind": "reservoir", "inputs": 2, "size": 80, "seed": 2,
  "dt": 1, "input_connectivity": 0.5, "input_scaling": 20}'));
SELECT abs((snn_predict_values(t, ARRAY[0, 0.5]::real[]))[1] - 1) < 0.25 AS low_ok,
       abs((snn_predict_values(t, ARRAY[1, 0.5]::real[]))[1] - 3) < 0.25 AS high_ok,
       h.loss < 0.05 AS fits, snn_predict(t, ARRAY[1, 0.5]::real[]) IS NULL AS no_class
FROM (SELECT snn_train(net, (SELECT array_agg(f ORDER BY i) FROM reg_data),
                       (SELECT array_agg(y ORDER BY i) FROM reg_data), 'ridge', '{"alpha": 0.01}') AS t
      FROM nets WHERE name = 'res2') s, snn_train_history(t) h;
SELECT snn_predict_values(snn_train_query(n.net, 'SELECT f, y FROM reg_data ORDER BY i', 'ridge',
         '{"alpha": 0.01}'), ARRAY[1, 0.5]::real[]) =
       snn_predict_values(snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM reg_data),
         (SELECT array_agg(y ORDER BY i) FROM reg_data), 'ridge', '{"alpha": 0.01}'),
         ARRAY[1, 0.5]::real[]) AS same_forms
FROM nets n WHERE n.name = 'res2';
-- two outputs a sample: real[][] targets
SELECT array_length(snn_predict_values(snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM reg_data),
         (SELECT array_agg(ARRAY[y, -y] ORDER BY i) FROM reg_data), 'ridge'), ARRAY[1, 0.5]::real[]), 1) AS outputs
FROM nets n WHERE n.name = 'res2';
-- the read-out values are double precision[], each the single-precision
-- value's shortest decimal (what real[] printed before 0.2.0; pg_regress
-- prints 6 digits, so the shortest form is asked for)
SET extra_float_digits = 1;
SELECT pg_typeof(v) AS type, v::real[]::text::float8[] = v AS decimal_of_the_float
FROM (SELECT snn_predict_values(snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM reg_data),
         (SELECT array_agg(ARRAY[y, -y] ORDER BY i) FROM reg_data), 'ridge'), ARRAY[1, 0.5]) AS v
      FROM nets n WHERE n.name = 'res2' OFFSET 0) s;
RESET extra_float_digits;
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0.5, 1.5]::real[], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0.5, 'NaN']::real[], 'ridge') FROM nets WHERE name = 'res2';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0.5]::real[], 'ridge') FROM nets WHERE name = 'res2';
SELECT snn_predict_values(net, ARRAY[0, 1]::real[]) FROM nets WHERE name = 'bp';

-- stdp: two disjoint input patterns, a winner-take-all layer of 4 neurons
CREATE TABLE pat_data AS
SELECT i, CASE WHEN i % 2 = 0 THEN ARRAY[1,1,1,1,1,0,0,0,0,0]
               ELSE ARRAY[0,0,0,0,0,1,1,1,1,1] END::real[] AS f, i % 2 AS label
FROM generate_series(0, 99) i;
INSERT INTO nets VALUES ('wta', snn_create('{"kind": "feedforward", "inputs": 10,
  "layers": [{"size": 4}], "seed": 4}'));
INSERT INTO nets SELECT 'stdp', snn_train(net, (SELECT array_agg(f ORDER BY i) FROM pat_data),
  (SELECT array_agg(label ORDER BY i) FROM pat_data), 'stdp', '{"epochs": 2, "seed": 5}')
FROM nets WHERE name = 'wta';
SELECT method, epochs, samples, accuracy >= 0.9 AS labelled FROM nets, snn_train_history(net)
WHERE name = 'stdp';
SELECT snn_predict(net, ARRAY[1,1,1,1,1,0,0,0,0,0]::real[]) AS a,
       snn_predict(net, ARRAY[0,0,0,0,0,1,1,1,1,1]::real[]) AS b
FROM nets WHERE name = 'stdp';
SELECT r.layer_spikes, r.confidence BETWEEN 0 AND 1 AS confidence_ok, spikes_neurons(r.spikes) AS outputs
FROM nets n, snn_infer(n.net, ARRAY[1,1,1,1,1,0,0,0,0,0]::real[]) r WHERE n.name = 'stdp';
-- without labels the answer is the winning neuron; the two patterns differ
SELECT snn_predict(t, ARRAY[1,1,1,1,1,0,0,0,0,0]::real[]) <> snn_predict(t, ARRAY[0,0,0,0,0,1,1,1,1,1]::real[]) AS distinct_winners
FROM (SELECT snn_train(net, (SELECT array_agg(f ORDER BY i) FROM pat_data), NULL::integer[], 'stdp',
                       '{"epochs": 2, "seed": 5}') AS t FROM nets WHERE name = 'wta') s;

-- hebbian (Oja / Sanger): unsupervised, neurons labelled when labels are given
SELECT h.method, h.epochs, h.samples FROM nets n,
  snn_train_history(snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM pat_data),
                              (SELECT array_agg(label ORDER BY i) FROM pat_data), 'hebbian',
                              '{"epochs": 5, "rule": "oja"}')) h WHERE n.name = 'wta';
SELECT snn_predict(t, ARRAY[1,1,1,1,1,0,0,0,0,0]::real[]) AS a,
       snn_predict(t, ARRAY[0,0,0,0,0,1,1,1,1,1]::real[]) AS b
FROM (SELECT snn_train_query(net, 'SELECT f, label FROM pat_data', 'hebbian') AS t
      FROM nets WHERE name = 'wta') s;

-- errors: labels
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 2], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[-1, 0], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, NULL], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], NULL::integer[], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train_query(net, 'SELECT f, NULL::int FROM xor_data', 'backprop') FROM nets WHERE name = 'ff';
-- errors: mismatched dimensions
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1, 1], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0, 0], [1, 1, 1]]::real[], ARRAY[0, 1], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[0, 1]::real[], ARRAY[0, 1], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_predict(net, ARRAY[0, 1, 2]::real[]) FROM nets WHERE name = 'bp';
SELECT snn_predict_batch(net, ARRAY[[0, 1, 2]]::real[]) FROM nets WHERE name = 'bp';
SELECT snn_train_query(net, 'SELECT f FROM (VALUES (ARRAY[1,2]::real[]), (ARRAY[1,2,3]::real[])) v(f)', 'stdp')
FROM nets WHERE name = 'wta';
-- one sample is a one-dimensional array everywhere: snn_train rejects a 2-D
-- row, and so do snn_infer, snn_predict, snn_energy and snn_train_query
SELECT predicted FROM nets, snn_infer(net, ARRAY[[0, 1]]::real[]) WHERE name = 'bp';
SELECT snn_predict(net, ARRAY[[0], [1]]::real[]) FROM nets WHERE name = 'bp';
SELECT snn_predict_rate(net, ARRAY[[0, 1]]::real[]) FROM nets WHERE name = 'bp';
SELECT count(*) FROM nets, snn_energy(net, ARRAY[[0, 1]]::real[]) WHERE name = 'bp';
SELECT snn_train_query(net, 'SELECT ARRAY[[0, 1]]::real[], 0 UNION ALL SELECT ARRAY[[1, 0]]::real[], 1',
                       'backprop') FROM nets WHERE name = 'ff';
-- errors: empty data
SELECT snn_train(net, '{}'::real[], '{}'::int[], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train_query(net, 'SELECT f, label FROM xor_data WHERE false', 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_predict(net, '{}'::real[]) FROM nets WHERE name = 'bp';
-- errors: NaN, infinity and NULL values
SELECT snn_train(net, ARRAY[[0, 'NaN'], [1, 1]]::real[], ARRAY[0, 1], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 'Infinity'], [1, 1]]::real[], ARRAY[0, 1], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, NULL], [1, 1]]::real[], ARRAY[0, 1], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_predict(net, ARRAY[0, 'NaN']::real[]) FROM nets WHERE name = 'bp';
SELECT snn_predict(net, ARRAY[0, NULL]::real[]) FROM nets WHERE name = 'bp';
-- errors: methods, options and network kinds
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'sgd') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'backprop', '{"epoch": 3}') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'backprop', '{"epochs": "many"}') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'backprop', '{"epochs": 0}') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'backprop', '{"epochs": 2.5}') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'backprop', '{"steps": 256}') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'backprop', '[1]') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'backprop', '{"learning_rate": 0}') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'ridge') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0, 0]]::real[], ARRAY[0], 'backprop') FROM nets WHERE name = 'res';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]]::real[], ARRAY[0, 1], 'stdp') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[1,1,1,1,1,0,0,0,0,0]]::real[], ARRAY[0], 'stdp', '{"w_min": 1, "w_max": 0}') FROM nets WHERE name = 'wta';
SELECT snn_train(net, ARRAY[[1,1,1,1,1,0,0,0,0,0]]::real[], ARRAY[0], 'hebbian', '{"rule": "hebb"}') FROM nets WHERE name = 'wta';
SELECT snn_train_query(net, 'SELECT 1', 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train_query(net, 'SELECT f, label, 1 FROM xor_data', 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train_query(net, 'SELECT f, 1.5 FROM xor_data', 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_predict_rate(net, ARRAY[1, 0.5, 0.5]::real[]) FROM nets WHERE name = 'ridge';
-- errors: inference on an untrained network
SELECT snn_predict(net, ARRAY[0, 1]::real[]) FROM nets WHERE name = 'ff';
SELECT * FROM snn_energy((SELECT net FROM nets WHERE name = 'ff'), ARRAY[0, 1]::real[]);
-- a corrupted trained block is refused by the text input
SELECT (regexp_replace(net::text, '"trained": "[A-Za-z0-9+/]{8}', '"trained": "AAAAAAAA'))::snn
FROM nets WHERE name = 'bp';
-- a cancelled training raises an error and changes nothing
SET statement_timeout = '300ms';
UPDATE nets SET net = snn_train(net, (SELECT array_agg(f ORDER BY i) FROM xor_data),
  (SELECT array_agg(label ORDER BY i) FROM xor_data), 'backprop',
  '{"epochs": 100000, "patience": 100000, "validation_split": 0}') WHERE name = 'bp';
RESET statement_timeout;
SELECT count(*) AS runs FROM nets n, snn_train_history(n.net) WHERE n.name = 'bp';
-- NULL arguments give NULL
-- (NULL::snn: the runtime overloads these names for bigint network ids)
SELECT snn_train(NULL::snn, ARRAY[[0, 0]]::real[], ARRAY[0], 'backprop') IS NULL AS null_net,
       snn_predict(NULL::snn, ARRAY[0, 0]::real[]) IS NULL AS null_predict,
       snn_predict(NULL, ARRAY[0, 0]) IS NULL AS null_untyped;
-- client types (issue 16): labels of any integer type train the same network,
-- features and targets may be double precision[] or numeric[]
SELECT (snn_train(n.net, (SELECT array_agg(f::float8[] ORDER BY i) FROM xor_data),
                  (SELECT array_agg(label::smallint ORDER BY i) FROM xor_data), 'backprop',
                  '{"epochs": 400, "patience": 400, "validation_split": 0, "seed": 7}')::text::jsonb
        - 'history') = (b.net::text::jsonb - 'history') AS smallint_labels,
       (snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM xor_data),
                  (SELECT array_agg(label::bigint ORDER BY i) FROM xor_data), 'backprop',
                  '{"epochs": 400, "patience": 400, "validation_split": 0, "seed": 7}')::text::jsonb
        - 'history') = (b.net::text::jsonb - 'history') AS bigint_labels
FROM nets n, nets b WHERE n.name = 'ff' AND b.name = 'bp';
-- (numeric targets are y rounded to 6 digits, hence a tolerance)
SELECT abs((snn_predict_values(snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM reg_data),
         (SELECT array_agg(y::numeric ORDER BY i) FROM reg_data), 'ridge', '{"alpha": 0.01}'),
         ARRAY[1, 0.5]))[1] -
       (snn_predict_values(snn_train(n.net, (SELECT array_agg(f ORDER BY i) FROM reg_data),
         (SELECT array_agg(y ORDER BY i) FROM reg_data), 'ridge', '{"alpha": 0.01}'),
         ARRAY[1, 0.5]::real[]))[1]) < 1e-3 AS numeric_targets
FROM nets n WHERE n.name = 'res2';
SELECT snn_predict(net, ARRAY[1, 0]) = snn_predict(net, ARRAY[1, 0]::real[]) AS int_features
FROM nets WHERE name = 'bp';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]], ARRAY[0, 3000000000], 'backprop') FROM nets WHERE name = 'ff';
SELECT snn_train(net, ARRAY[[0, 0], [1, 1]], ARRAY['a', 'b'], 'backprop') FROM nets WHERE name = 'ff';
-- an untyped NULL label array is allowed (stdp, hebbian) and an untyped
-- network literal resolves to the snn overload, not the bigint id one
SELECT snn_info(snn_train(net, ARRAY[[1,1,1,1,1,0,0,0,0,0]], NULL, 'stdp')) ->> 'neurons' AS stdp_untyped_null
FROM nets WHERE name = 'wta';
SELECT net::text AS bp_text FROM nets WHERE name = 'bp' \gset
SELECT snn_predict(:'bp_text', ARRAY[1, 0]) = snn_predict(net, ARRAY[1, 0]) AS untyped_literal
FROM nets WHERE name = 'bp';
DROP TABLE xor_data, lin_data, reg_data, pat_data, nets;
