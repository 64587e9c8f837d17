/*
 * test_network.c: the network engine against closed forms and itself.
 *
 * - LIF under constant current: time to first spike and firing rate match
 *   tau ln(I / (I - (v_th - v_rest))) and 1 / (t_ref + T) within one step;
 * - Izhikevich presets show their patterns (regular spiking adapts, fast
 *   spiking is fast and regular, chattering bursts, intrinsically bursting
 *   starts with a burst and then fires tonically);
 * - the AVX2 and SSE (SIMDe) paths give exactly the spikes and state of the
 *   scalar path;
 * - images validate, corrupted ones do not; config errors name the field.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_image.h"
#include "unit.h"

typedef struct net
{
	snn_image  *img;
	void	   *state;
} net;

/* Build an image from cfg, or return NULL and leave the error in err. */
static snn_image *
build(snn_config *cfg, snn_error *err)
{
	snn_plan	plan;
	void	   *img,
			   *scratch;

	snn_error_clear(err);
	if (snn_image_plan(cfg, NULL, &plan, err) != SNN_OK)
		return NULL;
	img = aligned_alloc(64, (plan.image_size + 63) / 64 * 64);
	scratch = malloc(plan.scratch_size + 8);
	if (snn_image_build(cfg, NULL, &plan, img, scratch, err) != SNN_OK)
	{
		free(img);
		img = NULL;
	}
	free(scratch);
	return img;
}

typedef struct rec
{
	uint32_t	n;
	uint32_t	cap;
	snn_event  *ev;
} rec;

static int
record(void *arg, uint32_t step, const uint32_t *ids, uint32_t n)
{
	rec		   *r = arg;

	for (uint32_t i = 0; i < n; i++)
	{
		if (r->n == r->cap)
		{
			r->cap = r->cap ? r->cap * 2 : 1024;
			r->ev = realloc(r->ev, sizeof(snn_event) * r->cap);
		}
		r->ev[r->n].step = step;
		r->ev[r->n++].neuron = ids[i];
	}
	return 0;
}

/* Simulate img from a fresh state and record every spike. */
static void *
simulate(const snn_image *img, const snn_event *in, size_t n_in, uint32_t steps,
		 int flags, rec *r, snn_counters *c)
{
	void	   *st = aligned_alloc(64, (img->state_size + 63) / 64 * 64);
	snn_error	err;

	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	snn_state_init(img, st, 99);
	/* in two chunks, which must not change anything */
	CHECK(snn_run(img, st, in, n_in, 0, steps / 3, record, r, c, flags, &err) == SNN_OK);
	CHECK(snn_run(img, st, in, n_in, steps / 3, steps - steps / 3, record, r, c, flags, &err) == SNN_OK);
	return st;
}

/* A one-neuron network driven by a constant bias. */
static snn_image *
single(uint32_t model, uint32_t preset, float bias, float dt)
{
	snn_config	cfg;
	snn_error	err;
	snn_image  *img;

	snn_config_defaults(&cfg, SNN_KIND_FEEDFORWARD);
	cfg.n_inputs = 1;
	cfg.n_layers = 1;
	cfg.dt = dt;
	cfg.layers[0].size = 1;
	cfg.layers[0].neuron.model = model;
	cfg.layers[0].neuron.preset = preset;
	snn_neuron_defaults(&cfg.layers[0].neuron);
	cfg.layers[0].neuron.bias = bias;
	img = build(&cfg, &err);
	CHECKF(img != NULL, "%s", err.msg);
	return img;
}

/*
 * t_ref / dt beyond 2^31 steps (1e6 ms over 3e-5 ms) clamps to INT32_MAX
 * instead of wrapping: after its first spike the neuron stays refractory.
 */
static void
test_refractory_overflow(void)
{
	const float dts[] = {3e-5f, 1e-6f};

	CHECK(snn_time_steps(2.0, 1.0) == 2);
	CHECK(snn_time_steps(2.5, 1.0) == 3);
	CHECK(snn_time_steps(0.0, 0.1) == 0);
	CHECK(snn_time_steps(1e6, 3e-5) == INT32_MAX);
	CHECK(snn_time_steps(1e6, 1e-30) == INT32_MAX);
	CHECK(snn_time_steps(2147483646.0, 1.0) == 2147483646);
	for (int a = 0; a < 2; a++)
	{
		snn_config	cfg;
		snn_error	err;
		snn_image  *img;
		rec			r;
		snn_counters c;
		void	   *st;

		snn_config_defaults(&cfg, SNN_KIND_FEEDFORWARD);
		cfg.n_inputs = 1;
		cfg.n_layers = 1;
		cfg.dt = dts[a];
		cfg.layers[0].size = 1;
		cfg.layers[0].connectivity = 1;
		cfg.layers[0].neuron.model = SNN_MODEL_LIF;
		snn_neuron_defaults(&cfg.layers[0].neuron);
		cfg.layers[0].neuron.t_ref = 1e6f;
		cfg.layers[0].neuron.tau_m = 1e-6f > dts[a] ? 1e-6f : dts[a];
		cfg.layers[0].neuron.bias = 1000.0f;
		img = build(&cfg, &err);
		CHECKF(img != NULL, "dt %g: %s", (double) dts[a], err.msg);
		if (img == NULL)
			continue;
		CHECK(snn_layers(img)[0].ref_steps == INT32_MAX);
		st = simulate(img, NULL, 0, 3000, 0, &r, &c);
		CHECKF(r.n == 1, "dt %g: %u spikes, want 1", (double) dts[a], r.n);
		free(r.ev);
		free(st);
		st = simulate(img, NULL, 0, 3000, SNN_RUN_SCALAR, &r, &c);
		CHECKF(r.n == 1, "dt %g scalar: %u spikes, want 1", (double) dts[a], r.n);
		free(r.ev);
		free(st);
		free(img);
	}
}

static void
test_lif_closed_form(void)
{
	const float dts[] = {0.5f, 0.1f, 0.05f};
	const float currents[] = {16.0f, 20.0f, 30.0f, 60.0f};

	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 4; b++)
		{
			float		dt = dts[a],
						I = currents[b];
			snn_image  *img = single(SNN_MODEL_LIF, 0, I, dt);
			uint32_t	steps = (uint32_t) lround(1000.0 / dt);
			rec			r;
			snn_counters c;
			void	   *st = simulate(img, NULL, 0, steps, 0, &r, &c);

			/* tau_m 20, v_rest = v_reset -65, v_th -50, t_ref 2 */
			double		T = 20.0 * log(I / (I - 15.0));
			double		first = (r.ev[0].step + 1) * (double) dt;
			double		isi = (r.ev[r.n - 1].step - r.ev[0].step) * (double) dt / (r.n - 1);
			double		rate = 1000.0 / (2.0 + T);

			CHECKF(r.n > 2, "I=%g dt=%g spikes %u", I, dt, r.n);
			CHECKF(first >= T - 1e-3 && first <= T + dt + 1e-3,
				   "I=%g dt=%g first spike %g ms, analytic %g ms", I, dt, first, T);
			CHECKF(fabs(isi - (2.0 + T)) <= dt * 1.01,
				   "I=%g dt=%g isi %g ms, analytic %g ms", I, dt, isi, 2.0 + T);
			CHECKF(fabs(r.n - rate) <= 1.0 + rate * dt / (2.0 + T),
				   "I=%g dt=%g rate %u Hz, analytic %g Hz", I, dt, r.n, rate);
			free(r.ev);
			free(st);
			free(img);
		}

	/* below threshold current: never fires */
	{
		snn_image  *img = single(SNN_MODEL_LIF, 0, 14.9f, 0.1f);
		rec			r;
		snn_counters c;
		void	   *st = simulate(img, NULL, 0, 10000, 0, &r, &c);

		CHECK(r.n == 0);
		CHECK(c.neuron_updates == 10000);

		/*
		 * the potential settles at v_rest + bias, seen through the state
		 * arrays
		 */
		{
			snn_state_arrays sa;

			snn_state_get(img, st, &sa);
			CHECKF(fabsf(sa.v[snn_neuron_slot(img, 0)] - (-65.0f + 14.9f)) < 1e-3f, "v %g",
				   (double) sa.v[snn_neuron_slot(img, 0)]);
			CHECK(sa.ref[snn_neuron_slot(img, 0)] == 0);
		}
		free(r.ev);
		free(st);
		free(img);
	}
}

/* Inter-spike intervals (ms) of an Izhikevich preset under current 10. */
static int
izh_isis(uint32_t preset, double *isi, int max)
{
	snn_image  *img = single(SNN_MODEL_IZHIKEVICH, preset, 10.0f, 0.1f);
	rec			r;
	snn_counters c;
	void	   *st = simulate(img, NULL, 0, 10000, 0, &r, &c);
	int			n = 0;

	for (uint32_t i = 1; i < r.n && n < max; i++)
		isi[n++] = (r.ev[i].step - r.ev[i - 1].step) * 0.1;
	free(r.ev);
	free(st);
	free(img);
	return n;
}

static void
test_izhikevich(void)
{
	double		rs[2000],
				fs[2000],
				ch[2000],
				ib[2000];
	int			nrs = izh_isis(SNN_IZH_RS, rs, 2000),
				nfs = izh_isis(SNN_IZH_FS, fs, 2000),
				nch = izh_isis(SNN_IZH_CH, ch, 2000),
				nib = izh_isis(SNN_IZH_IB, ib, 2000);
	double		mn,
				mx;
	int			shortc = 0;

	/* regular spiking: tonic, with spike-frequency adaptation */
	CHECKF(nrs >= 5, "rs isis %d", nrs);
	CHECKF(rs[0] < rs[nrs - 1] * 0.8, "rs adapts: first %g last %g", rs[0], rs[nrs - 1]);
	mn = mx = rs[1];
	for (int i = 1; i < nrs; i++)
	{
		mn = fmin(mn, rs[i]);
		mx = fmax(mx, rs[i]);
	}
	CHECKF(mn > 0.5 * mx, "rs has no bursts: min %g max %g", mn, mx);

	/* fast spiking: several times the rate of RS, no adaptation */
	CHECKF(nfs > 2 * nrs, "fs %d isis, rs %d", nfs, nrs);
	mn = mx = fs[nfs / 2];
	for (int i = nfs / 2; i < nfs; i++)
	{
		mn = fmin(mn, fs[i]);
		mx = fmax(mx, fs[i]);
	}
	CHECKF(mx < 1.1 * mn, "fs regular: min %g max %g", mn, mx);

	/* chattering: bursts, short intra-burst and long inter-burst intervals */
	mn = mx = ch[0];
	for (int i = 0; i < nch; i++)
	{
		mn = fmin(mn, ch[i]);
		mx = fmax(mx, ch[i]);
	}
	for (int i = 0; i < nch; i++)
		shortc += ch[i] < 0.3 * mx;
	CHECKF(mn < 0.3 * mx, "ch bimodal: min %g max %g", mn, mx);
	CHECKF(shortc >= nch / 2 && shortc < nch, "ch: %d of %d isis inside bursts", shortc, nch);

	/* intrinsically bursting: an initial burst, then tonic single spikes */
	CHECKF(nib >= 6, "ib isis %d", nib);
	CHECKF(ib[0] < 0.3 * ib[nib - 1], "ib initial burst: first %g last %g", ib[0], ib[nib - 1]);
	mn = mx = ib[nib / 2];
	for (int i = nib / 2; i < nib; i++)
	{
		mn = fmin(mn, ib[i]);
		mx = fmax(mx, ib[i]);
	}
	CHECKF(mx < 1.2 * mn, "ib tonic later: min %g max %g", mn, mx);
}

/* Random Poisson-like input events for n inputs over steps. */
static snn_event *
poisson(uint32_t n, uint32_t steps, double p, size_t *count)
{
	uint64_t	s = 12345;
	size_t		cap = 1024,
				k = 0;
	snn_event  *ev = malloc(sizeof(snn_event) * cap);

	for (uint32_t t = 0; t < steps; t++)
		for (uint32_t i = 0; i < n; i++)
		{
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			if ((double) (s >> 11) / 9007199254740992.0 < p)
			{
				if (k == cap)
					ev = realloc(ev, sizeof(snn_event) * (cap *= 2));
				ev[k].step = t;
				ev[k++].neuron = i;
			}
		}
	*count = k;
	return ev;
}

/* Vector and scalar paths give identical spikes and states. */
static void
test_simd_equals_scalar(void)
{
	snn_config	cfg;
	snn_error	err;
	snn_image  *img;
	size_t		nin;
	snn_event  *in = poisson(50, 2000, 0.02, &nin);
	uint32_t	models[3] = {SNN_MODEL_LIF, SNN_MODEL_ALIF, SNN_MODEL_IZHIKEVICH};

	/* reservoir with spread initial potentials */
	snn_config_defaults(&cfg, SNN_KIND_RESERVOIR);
	cfg.n_inputs = 50;
	cfg.seed = 7;
	cfg.layers[0].size = 503;
	cfg.res_spectral_radius = 30.0f;
	cfg.layers[0].neuron.v_init_min = -65.0f;
	cfg.layers[0].neuron.v_init_max = -50.0f;
	img = build(&cfg, &err);
	CHECKF(img != NULL, "%s", err.msg);
	if (img)
	{
		rec			a,
					b;
		snn_counters ca,
					cb;
		void	   *sa = simulate(img, in, nin, 2000, 0, &a, &ca);
		void	   *sb = simulate(img, in, nin, 2000, SNN_RUN_SCALAR, &b, &cb);
		rec			d;
		snn_counters cd;
		void	   *sd = simulate(img, in, nin, 2000, SNN_RUN_SSE, &d, &cd);

		CHECKF(a.n > 1000, "reservoir spikes %u", a.n);
		CHECK(a.n == d.n && memcmp(a.ev, d.ev, sizeof(snn_event) * a.n) == 0);
		CHECK(memcmp(sa, sd, img->state_size) == 0);
		free(d.ev);
		free(sd);
		CHECK(a.n == b.n && memcmp(a.ev, b.ev, sizeof(snn_event) * a.n) == 0);
		CHECK(memcmp(sa, sb, img->state_size) == 0);
		CHECK(ca.synaptic_events == cb.synaptic_events && ca.synaptic_events > 0);
		CHECK(snn_image_validate(img, img->total_size, &err) == SNN_OK);
		free(a.ev);
		free(b.ev);
		free(sa);
		free(sb);
		free(img);
	}

	/* feed-forward with one layer of each model and WTA output */
	snn_config_defaults(&cfg, SNN_KIND_FEEDFORWARD);
	cfg.n_inputs = 50;
	cfg.n_layers = 3;
	cfg.wta = 1;
	for (int l = 0; l < 3; l++)
	{
		cfg.layers[l].size = 37 + 20 * l;
		cfg.layers[l].neuron.model = models[l];
		snn_neuron_defaults(&cfg.layers[l].neuron);
		cfg.layers[l].connectivity = 0.5f;
	}
	cfg.layers[0].weight_max = 8.0f;
	cfg.layers[1].weight_max = 30.0f;
	cfg.layers[2].weight_max = 30.0f;
	img = build(&cfg, &err);
	CHECKF(img != NULL, "%s", err.msg);
	if (img)
	{
		rec			a,
					b;
		snn_counters ca,
					cb;
		void	   *sa = simulate(img, in, nin, 2000, 0, &a, &ca);
		void	   *sb = simulate(img, in, nin, 2000, SNN_RUN_SCALAR, &b, &cb);
		rec			d;
		snn_counters cd;
		void	   *sd = simulate(img, in, nin, 2000, SNN_RUN_SSE, &d, &cd);

		CHECK(a.n == d.n && memcmp(a.ev, d.ev, sizeof(snn_event) * a.n) == 0);
		CHECK(memcmp(sa, sd, img->state_size) == 0);
		free(d.ev);
		free(sd);
		CHECKF(ca.layer_spikes[0] > 0 && ca.layer_spikes[1] > 0 && ca.layer_spikes[2] > 0,
			   "every layer fires: %llu %llu %llu", (unsigned long long) ca.layer_spikes[0],
			   (unsigned long long) ca.layer_spikes[1], (unsigned long long) ca.layer_spikes[2]);
		CHECK(a.n == b.n && memcmp(a.ev, b.ev, sizeof(snn_event) * a.n) == 0);
		CHECK(memcmp(sa, sb, img->state_size) == 0);
		CHECK(snn_image_validate(img, img->total_size, &err) == SNN_OK);
		/* events sorted by (step, neuron), ids in range */
		for (uint32_t i = 1; i < a.n; i++)
			CHECK(a.ev[i - 1].step < a.ev[i].step ||
				  (a.ev[i - 1].step == a.ev[i].step && a.ev[i - 1].neuron < a.ev[i].neuron));
		for (uint32_t i = 0; i < a.n; i++)
			CHECK(a.ev[i].neuron < img->n_neurons);
		/* same seed, same network: byte-identical rebuild */
		{
			snn_image  *again = build(&cfg, &err);

			CHECK(again && memcmp(again, img, img->total_size) == 0);
			free(again);
		}
		free(a.ev);
		free(b.ev);
		free(sa);
		free(sb);
		free(img);
	}
	free(in);
}

/* The spectral radius is what was asked for (within estimation error). */
static void
test_reservoir(void)
{
	snn_config	cfg;
	snn_error	err;
	snn_image  *img;

	snn_config_defaults(&cfg, SNN_KIND_RESERVOIR);
	cfg.n_inputs = 10;
	cfg.layers[0].size = 400;
	cfg.res_connectivity = 0.1f;
	cfg.res_spectral_radius = 0.9f;
	cfg.seed = 3;
	img = build(&cfg, &err);
	CHECKF(img != NULL, "%s", err.msg);
	if (img)
	{
		uint64_t	exp_syn = 400ull * 399 / 10;
		const float *w = snn_sec(img, SNN_SEC_REC_WEIGHT);
		uint64_t	neg = 0;

		CHECKF(img->n_rec_syn > exp_syn * 0.9 && img->n_rec_syn < exp_syn * 1.1,
			   "synapses %llu, expected about %llu", (unsigned long long) img->n_rec_syn,
			   (unsigned long long) exp_syn);
		for (uint64_t j = 0; j < img->n_rec_syn; j++)
			neg += w[j] < 0;
		CHECKF(fabs((double) neg / img->n_rec_syn - 0.2) < 0.03, "inhibitory share %g",
			   (double) neg / img->n_rec_syn);
		free(img);
	}
}

/* A config error: status and field. */
static void
expect_error(snn_config *cfg, snn_status st, const char *field)
{
	snn_error	err;
	snn_image  *img = build(cfg, &err);

	CHECKF(img == NULL && err.status == st && strcmp(err.field, field) == 0,
		   "expected %s, got status %d field '%s' msg '%s'", field, err.status, err.field, err.msg);
	free(img);
}

static void
test_config_errors(void)
{
	snn_config	cfg;

#define FF() do { snn_config_defaults(&cfg, SNN_KIND_FEEDFORWARD); cfg.n_inputs = 4; \
	cfg.n_layers = 2; cfg.layers[0].size = 5; cfg.layers[1].size = 3; } while (0)
#define RES() do { snn_config_defaults(&cfg, SNN_KIND_RESERVOIR); cfg.n_inputs = 4; \
	cfg.layers[0].size = 50; } while (0)

	FF();
	cfg.layers[1].size = 0;
	expect_error(&cfg, SNN_E_EMPTY, "layers[1].size");
	FF();
	cfg.n_layers = 0;
	expect_error(&cfg, SNN_E_EMPTY, "layers");
	FF();
	cfg.n_inputs = 0;
	expect_error(&cfg, SNN_E_EMPTY, "inputs");
	FF();
	cfg.layers[0].neuron.tau_m = -1.0f;
	expect_error(&cfg, SNN_E_RANGE, "layers[0].neuron.tau_m");
	FF();
	cfg.layers[1].neuron.tau_syn_exc = 0.0f;
	expect_error(&cfg, SNN_E_RANGE, "layers[1].neuron.tau_syn_exc");
	FF();
	cfg.layers[0].neuron.v_th = -70.0f;
	expect_error(&cfg, SNN_E_RANGE, "layers[0].neuron.v_th");
	FF();
	cfg.layers[1].connectivity = 0.0f;
	expect_error(&cfg, SNN_E_RANGE, "layers[1].connectivity");
	FF();
	cfg.layers[1].connectivity = 1.5f;
	expect_error(&cfg, SNN_E_RANGE, "layers[1].connectivity");
	FF();
	cfg.dt = NAN;
	expect_error(&cfg, SNN_E_NAN, "dt");
	FF();
	cfg.dt = 0.0f;
	expect_error(&cfg, SNN_E_RANGE, "dt");
	FF();
	cfg.layers[0].size = SNN_MAX_NEURONS + 1;
	expect_error(&cfg, SNN_E_LIMIT, "layers[0].size");
	FF();
	cfg.n_inputs = 100000;
	cfg.layers[0].size = 100000;
	expect_error(&cfg, SNN_E_LIMIT, "layers");
	FF();
	cfg.layers[0].neuron.t_ref = -1.0f;
	expect_error(&cfg, SNN_E_RANGE, "layers[0].neuron.t_ref");
	RES();
	cfg.res_connectivity = 0.0f;
	expect_error(&cfg, SNN_E_RANGE, "connectivity");
	RES();
	cfg.res_spectral_radius = -1.0f;
	expect_error(&cfg, SNN_E_RANGE, "spectral_radius");
	RES();
	cfg.res_exc_ratio = 1.5f;
	expect_error(&cfg, SNN_E_RANGE, "exc_ratio");
	RES();
	cfg.layers[0].size = 0;
	expect_error(&cfg, SNN_E_EMPTY, "size");
	RES();
	cfg.layers[0].size = 200000;
	cfg.res_connectivity = 1.0f;
	expect_error(&cfg, SNN_E_LIMIT, "connectivity");
	RES();
	cfg.layers[0].neuron.tau_m = 0.0f;
	expect_error(&cfg, SNN_E_RANGE, "neuron.tau_m");
}

/* A corrupted image is refused, never crashes the validator. */
static void
test_validate(void)
{
	snn_config	cfg;
	snn_error	err;
	snn_image  *img;

	snn_config_defaults(&cfg, SNN_KIND_RESERVOIR);
	cfg.n_inputs = 3;
	cfg.layers[0].size = 40;
	img = build(&cfg, &err);
	CHECK(img != NULL);
	if (!img)
		return;
	CHECK(snn_image_validate(img, img->total_size, &err) == SNN_OK);
	CHECK(snn_image_validate(img, img->total_size - 1, &err) == SNN_E_FORMAT);
	{
		snn_image  *bad = malloc(img->total_size);
		uint32_t   *tg;

		memcpy(bad, img, img->total_size);
		bad->magic ^= 1;
		CHECK(snn_image_validate(bad, img->total_size, &err) == SNN_E_FORMAT);
		memcpy(bad, img, img->total_size);
		tg = (uint32_t *) ((char *) bad + bad->sec[SNN_SEC_REC_TARGET].offset);
		tg[0] = 2 * bad->n_slots;
		CHECK(snn_image_validate(bad, img->total_size, &err) == SNN_E_FORMAT);
		memcpy(bad, img, img->total_size);
		tg = (uint32_t *) ((char *) bad + bad->sec[SNN_SEC_REC_TARGET].offset);
		tg[0] = 45;				/* a padding slot */
		CHECK(snn_image_validate(bad, img->total_size, &err) == SNN_E_FORMAT);
		memcpy(bad, img, img->total_size);
		((float *) ((char *) bad + bad->sec[SNN_SEC_IN_WEIGHT].offset))[0] = NAN;
		CHECK(snn_image_validate(bad, img->total_size, &err) == SNN_E_FORMAT);
		memcpy(bad, img, img->total_size);
		((snn_layer *) ((char *) bad + bad->sec[SNN_SEC_LAYERS].offset))[0].decay_m = 2.0f;
		CHECK(snn_image_validate(bad, img->total_size, &err) == SNN_E_FORMAT);
		free(bad);
	}
	/* bad input events are refused before anything runs */
	{
		void	   *st = aligned_alloc(64, (img->state_size + 63) / 64 * 64);
		snn_event	unsorted[2] = {{5, 0}, {3, 1}};
		snn_event	outside[1] = {{0, 3}};
		snn_counters c;

		memset(&c, 0, sizeof(c));
		snn_state_init(img, st, 0);
		CHECK(snn_run(img, st, unsorted, 2, 0, 10, NULL, NULL, &c, 0, &err) == SNN_E_FORMAT);
		CHECK(snn_run(img, st, outside, 1, 0, 10, NULL, NULL, &c, 0, &err) == SNN_E_DIM);
		CHECK(snn_run(img, st, NULL, 0, 0, SNN_MAX_STEPS + 1, NULL, NULL, &c, 0, &err) == SNN_E_LIMIT);
		CHECK(c.steps == 0);
		free(st);
	}
	/* with_section appends a history and keeps the rest valid */
	{
		snn_history_rec h = {1, 10, 100, 0.5, 0.9, 0, "test"};
		size_t		need = snn_image_with_section(img, SNN_SEC_HISTORY, &h, sizeof(h), NULL, 0);
		snn_image  *out = aligned_alloc(64, (need + 63) / 64 * 64);

		CHECK(snn_image_with_section(img, SNN_SEC_HISTORY, &h, sizeof(h), out, need) == need);
		CHECK(out->n_history == 1);
		CHECKF(snn_image_validate(out, need, &err) == SNN_OK, "%s", err.msg);
		free(out);
	}
	free(img);
}

int
main(void)
{
	test_lif_closed_form();
	test_refractory_overflow();
	test_izhikevich();
	test_simd_equals_scalar();
	test_reservoir();
	test_config_errors();
	test_validate();
	UNIT_DONE();
}
