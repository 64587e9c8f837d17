-- Networks: snn_create for every kind, the snn type's text and binary
-- forms, snn_info, snn_simulate, spiketrain_raster_svg, and every config error.
\set VERBOSITY terse

-- a feed-forward network with explicit weights: input 0 drives neuron 0,
-- input 1 drives neuron 1, both drive neuron 2 weakly
CREATE TABLE nets (name text PRIMARY KEY, net snn);
INSERT INTO nets VALUES
 ('ff', snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 3, "weights": [[40, 0, 12], [0, 40, 12]]}]}')),
 ('wta', snn_create('{"kind": "feedforward", "inputs": 8, "seed": 5, "layers": [{"size": 6}, {"size": 4, "connectivity": 0.5}], "wta": {"inhibition": 30}}')),
 ('res', snn_create('{"kind": "reservoir", "inputs": 5, "size": 100, "connectivity": 0.1, "spectral_radius": 40, "exc_ratio": 0.8, "input_scaling": 20, "input_connectivity": 0.3, "seed": 11, "dt": 0.5}')),
 ('izh', snn_create('{"kind": "feedforward", "inputs": 1, "dt": 0.1, "layers": [{"size": 1, "neuron": {"model": "izhikevich", "preset": "regular_spiking", "bias": 10}}, {"size": 1, "neuron": {"model": "izhikevich", "preset": "fast_spiking", "bias": 10}}, {"size": 1, "neuron": {"model": "izhikevich", "preset": "chattering", "bias": 10}}, {"size": 1, "neuron": {"model": "izhikevich", "preset": "intrinsically_bursting", "bias": 10}}]}')),
 ('alif', snn_create('{"kind": "feedforward", "inputs": 1, "dt": 0.1, "neuron": {"model": "adaptive_lif", "bias": 30, "tau_adapt": 200, "adapt_inc": 2}, "layers": [{"size": 1}]}'));

-- info: architecture and sizes
SELECT name, i->>'kind' AS kind, i->'inputs' AS inputs, i->'neurons' AS neurons,
       i->'synapses' AS synapses, i->'wta' AS wta, (i->>'bytes')::int > 0 AS has_bytes,
       jsonb_path_query_array(i, '$.layers[*].model') AS models
FROM nets, snn_info(net) i ORDER BY name;
SELECT jsonb_pretty(snn_info(net) - 'config') FROM nets WHERE name = 'ff';
SELECT jsonb_pretty(snn_info(net)->'config') FROM nets WHERE name = 'izh';

-- text form: every parameter and the synapses; it reads back identically
SELECT net FROM nets WHERE name = 'ff';
SELECT name, net::text::snn::text = net::text AS text_round_trip,
       snn_network_send(net::text::snn) = snn_network_send(net) AS same_bytes
FROM nets ORDER BY name;
-- a bare configuration is a valid text form too
SELECT snn_info('{"kind": "reservoir", "size": 10}'::snn)->'synapses';

-- a training history (written by the training functions) is shown by
-- snn_info and kept by the text form
SELECT snn_info(h)->'history' AS history, h::text::snn::text = h::text AS round_trip
FROM (SELECT '{"kind": "reservoir", "size": 4, "history": [{"method": 2, "epochs": 10, "samples": 500, "loss": 0.25, "metric": 0.875, "time_us": 1700000000000000, "note": "ridge <&>"}]}'::snn AS h) s;

-- binary form: COPY out and back in gives the same networks
\copy nets TO 'results/snn_nets.bin' (FORMAT binary)
CREATE TABLE nets2 (LIKE nets);
\copy nets2 FROM 'results/snn_nets.bin' (FORMAT binary)
SELECT n.name, snn_network_send(n.net) = snn_network_send(m.net) AS binary_round_trip
FROM nets n JOIN nets2 m USING (name) ORDER BY name;

-- same seed, same network; another seed, other weights
SELECT snn_network_send(snn_create('{"kind": "reservoir", "size": 50, "seed": 1}'))
     = snn_network_send(snn_create('{"kind": "reservoir", "size": 50, "seed": 1}')) AS same_seed,
       snn_network_send(snn_create('{"kind": "reservoir", "size": 50, "seed": 1}'))
     = snn_network_send(snn_create('{"kind": "reservoir", "size": 50, "seed": 2}')) AS other_seed;

-- simulation: input 0 fires at steps 1-3, input 1 at steps 10-12; one step of
-- synaptic delay, so neuron 0 fires a few steps after step 1, neuron 1 after
-- step 10, neuron 2 never (12 mV is not enough)
SELECT snn_simulate(net, '{neurons:2,steps:30,events:[0@1,0@2,0@3,1@10,1@11,1@12]}') FROM nets WHERE name = 'ff';
-- layer filter and steps beyond the input
SELECT snn_simulate(net, '{neurons:2,steps:30,events:[1@10,1@11,1@12]}', 40, 0, 0) FROM nets WHERE name = 'ff';
-- no input: the Izhikevich presets driven by their bias, 1 s
SELECT n AS layer, (ARRAY['rs','fs','ch','ib'])[n + 1] AS preset, count(e.neuron) AS spikes,
       (array_agg(e.step ORDER BY e.step))[1:6] AS first_steps
FROM nets, generate_series(0, 3) n
LEFT JOIN LATERAL spiketrain_unnest(snn_simulate(net, NULL, 10000, 0, n)) e ON true
WHERE name = 'izh' GROUP BY n ORDER BY n;
-- adaptive LIF: intervals grow as the threshold adapts
SELECT (array_agg(step ORDER BY step))[1:8] AS steps
FROM nets, spiketrain_unnest(snn_simulate(net, NULL, 3000)) WHERE name = 'alif';
-- deterministic: the same run twice, the same spikes; stats agree with the train
SELECT snn_simulate(net, t, NULL, 7) = snn_simulate(net, t, NULL, 7) AS deterministic,
       spiketrain_events(snn_simulate(net, t, NULL, 7)) = (s->>'spikes')::int AS stats_agree,
       s->'steps' AS steps, s->'neurons' AS neurons, (s->>'synaptic_events')::int > 0 AS delivered,
       (s->>'input_events')::int = spiketrain_events(t) AS inputs_counted
FROM nets, snn_encode_poisson(ARRAY[1, 1, 1, 1, 1]::float8[], 0, 1, 400, 0.1, 3) t,
     snn_simulate_stats(net, t, NULL, 7) s
WHERE name = 'res';
-- winner-take-all: with inhibition the output fires less than without
SELECT spiketrain_events(snn_simulate(w.net, t, NULL, 0, 1)) < spiketrain_events(snn_simulate(n.net, t, NULL, 0, 1)) AS wta_inhibits
FROM nets w, snn_encode_poisson(ARRAY[1, 1, 1, 1, 1, 1, 1, 1]::float8[], 0, 1, 500, 0.3, 9) t,
     (SELECT snn_create('{"kind": "feedforward", "inputs": 8, "seed": 5, "layers": [{"size": 6}, {"size": 4, "connectivity": 0.5}]}') AS net) n
WHERE w.name = 'wta';
SELECT snn_simulate(NULL, NULL, 10) IS NULL AS null_net;

-- raster plot
SELECT left(svg, 120) AS head, svg LIKE '%</svg>%' AS closed,
       svg LIKE '%a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;%' AS title_escaped,
       svg NOT LIKE '%<b>%' AS no_raw_markup
FROM (SELECT spiketrain_raster_svg('{neurons:3,steps:10,events:[0@1,2@5]}', 400, 300, 'a <b> & "c" ''d''') AS svg) s;
SELECT spiketrain_raster_svg('{neurons:2,steps:4,events:[1@0]}', 200, 150);
SELECT length(spiketrain_raster_svg(snn_simulate(net, NULL, 1000, 0, 0))) > 1000 AS big_raster FROM nets WHERE name = 'izh';

-- errors: simulation
SELECT snn_simulate(net, '{neurons:3,steps:10,events:[]}') FROM nets WHERE name = 'ff';
SELECT snn_simulate(net, NULL) FROM nets WHERE name = 'ff';
SELECT snn_simulate(net, NULL, 0) FROM nets WHERE name = 'ff';
SELECT snn_simulate(net, NULL, 10000001) FROM nets WHERE name = 'ff';
SELECT snn_simulate(net, NULL, 10, 0, 1) FROM nets WHERE name = 'ff';
SELECT snn_simulate(net, NULL, 10, 0, -1) FROM nets WHERE name = 'ff';
SELECT spiketrain_raster_svg('{neurons:2,steps:4,events:[]}', 10, 10);

-- errors: configuration (each names its field)
SELECT snn_create('[]');
SELECT snn_create('{}');
SELECT snn_create('{"kind": "hopfield"}');
SELECT snn_create('{"kind": 3}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2}');
SELECT snn_create('{"kind": "feedforward", "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": []}');
SELECT snn_create('{"kind": "feedforward", "inputs": 0, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2}, {"size": 0}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"neuron": {}}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": -1}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2.5}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": "2"}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 1000001}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 1000001, "layers": [{"size": 1}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 600000}, {"size": 600000}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 100000, "layers": [{"size": 100000}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2}], "colour": "red"}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "colour": "red"}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "connectivity": 0}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "connectivity": 1.5}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "weight_min": 2, "weight_max": 1}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "weights": [[1, 2]]}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "weights": [[1, 2], [3]]}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "weights": [[1, 2], [3, "x"]]}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "weights": [[1, 2], [3, 1e7]]}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "weights": {"a": 1}}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "dt": 0, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "dt": 11, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "dt": 1e400, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "seed": -1, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "wta": 1, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "wta": {"inhibition": -1}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "wta": {"strength": 1}, "layers": [{"size": 2}]}');
-- neurons
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "neuron": {"tau_m": -5}}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "layers": [{"size": 2, "neuron": {"tau_m": 0}}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"tau_syn_exc": 0}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"tau_syn_inh": -1}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"t_ref": -1}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"v_th": -70}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"v_init_min": -50, "v_init_max": -60}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "hodgkin_huxley"}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "lif", "preset": "fast_spiking"}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "izhikevich", "preset": "slow"}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "izhikevich", "tau_m": 10}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "izhikevich", "a": 0}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "lif", "a": 0.02}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "lif", "tau_adapt": 100}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "adaptive_lif", "tau_adapt": 0}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": {"model": "adaptive_lif", "adapt_inc": -1}, "layers": [{"size": 2}]}');
SELECT snn_create('{"kind": "feedforward", "inputs": 2, "neuron": [], "layers": [{"size": 2}]}');
-- reservoirs
SELECT snn_create('{"kind": "reservoir"}');
SELECT snn_create('{"kind": "reservoir", "size": 0}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "connectivity": 0}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "connectivity": 1.01}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "input_connectivity": -0.5}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "spectral_radius": 0}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "exc_ratio": 1.2}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "input_scaling": -1}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "weight_exc": -1}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "weight_inh": 1}');
SELECT snn_create('{"kind": "reservoir", "size": 100000, "connectivity": 1}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "layers": [{"size": 3}]}');
SELECT snn_create('{"kind": "reservoir", "size": 100, "neuron": {"tau_m": 0}}');


-- text input
SELECT '{"kind": "reservoir", "size": 10'::snn;
SELECT '{"kind": "reservoir", "size": 10, "format": 2}'::snn;
SELECT '{"kind": "reservoir", "size": 10, "history": [{"colour": 1}]}'::snn;
SELECT '{"kind": "reservoir", "size": 10, "synapses": {"input": {}}}'::snn;
SELECT '{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}], "synapses": {"input": {"count": 1, "rows": "AAAAAAEAAAA=", "targets": "AAAAAA==", "weights": "!!"}, "recurrent": {"count": 0, "rows": "", "targets": "", "weights": ""}}}'::snn;
SELECT '{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}], "synapses": {"input": {"count": 1, "rows": "AAAAAAEAAAA=", "targets": "AAAAAA==", "weights": "AAAgQQ=="}, "recurrent": {"count": 0, "rows": "AAAA", "targets": "", "weights": ""}}}'::snn;
-- a target outside the network is refused by the image validation
SELECT '{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}], "synapses": {"input": {"count": 1, "rows": "AAAAAAEAAAA=", "targets": "BQAAAA==", "weights": "AAAgQQ=="}, "recurrent": {"count": 0, "rows": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "targets": "", "weights": ""}}}'::snn;
-- and a correct one is accepted: one synapse of 10 mV from input 0 to neuron 0
SELECT snn_info('{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}], "synapses": {"input": {"count": 1, "rows": "AAAAAAEAAAA=", "targets": "AAAAAA==", "weights": "AAAgQQ=="}, "recurrent": {"count": 0, "rows": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "targets": "", "weights": ""}}}'::snn)->'synapses';

-- a refractory period of more than 2^31 steps (t_ref 1e6 ms at dt 3e-5 ms)
-- does not wrap around: the neuron fires once and stays refractory
SELECT snn_simulate(snn_create('{"kind": "feedforward", "inputs": 1, "dt": 3e-5,
  "layers": [{"size": 1, "neuron": {"t_ref": 1e6, "tau_m": 0.001, "bias": 1000}}]}'), NULL, 2000);
-- the same neuron with t_ref 0.3 us fires every 10 steps
SELECT snn_simulate(snn_create('{"kind": "feedforward", "inputs": 1, "dt": 3e-5,
  "layers": [{"size": 1, "neuron": {"t_ref": 0.0003, "tau_m": 0.001, "bias": 1000}}]}'), NULL, 60);
-- steps: zero or negative is an invalid argument (22023), too many a limit (54000)
\set VERBOSITY sqlstate
SELECT snn_simulate(snn_create('{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}]}'), NULL, 0);
SELECT snn_simulate(snn_create('{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}]}'), NULL, -1);
SELECT snn_simulate_stats(snn_create('{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}]}'), NULL, 0);
SELECT snn_simulate(snn_create('{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}]}'), NULL, 10000001);
\set VERBOSITY default
SELECT snn_simulate(snn_create('{"kind": "feedforward", "inputs": 1, "layers": [{"size": 1}]}'), NULL, 0);

DROP TABLE nets, nets2;
