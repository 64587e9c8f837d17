/*
 * test_fanin_image.c: the fixed fan-in block as a network image (kind
 * fanin): built and validated like every image, every kind of damage
 * refused, snn_run steps it as the per-step call does, and the anomaly
 * detector's reservoir exported as such an image steps bit for bit as the
 * detector's own step (membranes, adaptation, traces, spikes, learned
 * weights), its section the same bytes as the detector's state.
 */
#include <math.h>
#if defined(__x86_64__) || defined(__SSE2__)
#include <xmmintrin.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_detector_int.h"
#include "snn_fanin.h"
#include "snn_image.h"
#include "snn_random.h"
#include "unit.h"

/* A 64-byte aligned copy of n bytes (or zeroes when src is NULL). */
static void *
alloc64(size_t n, const void *src)
{
	void	   *p = aligned_alloc(64, (n + 63) & ~(size_t) 63);

	if (p == NULL)
		exit(1);
	memset(p, 0, (n + 63) & ~(size_t) 63);
	if (src)
		memcpy(p, src, n);
	return p;
}

/* A built fanin image of n neurons over n_in inputs. */
static snn_image *
build_fanin(uint32_t n, uint32_t n_in, uint64_t seed, size_t *size)
{
	snn_config	cfg;
	snn_plan	plan;
	snn_error	err;
	void	   *img;

	snn_config_defaults(&cfg, SNN_KIND_FANIN);
	cfg.n_inputs = n_in;
	cfg.layers[0].size = n;
	cfg.res_connectivity = 0.2f;
	cfg.res_input_connectivity = 0.5f;
	cfg.res_input_scaling = 3.0f;
	cfg.res_spectral_radius = 0.9f;
	cfg.seed = seed;
	CHECK(snn_image_plan(&cfg, NULL, &plan, &err) == SNN_OK);
	img = alloc64(plan.image_size, NULL);
	CHECK(snn_image_build(&cfg, NULL, &plan, img, NULL, &err) == SNN_OK);
	*size = plan.image_size;
	return img;
}

/* The build is a valid image; its header and block agree with the config. */
static void
test_build(void)
{
	size_t		size;
	snn_image  *img = build_fanin(37, 11, 5, &size);
	snn_error	err;
	snn_fanin	b;
	snn_fanin_params p;

	CHECKF(snn_image_validate(img, size, &err) == SNN_OK, "%s", err.msg);
	CHECK(img->kind == SNN_KIND_FANIN);
	CHECK(snn_image_fanin(img, &b, &p, &err) == SNN_OK);
	CHECK(b.n == 37 && b.k == 7 && b.kin == 6 && b.n_in == 11);
	CHECK(img->n_rec_syn == 37 * 7 && img->n_in_syn == 37 * 6);
	CHECK(img->sec[SNN_SEC_REC_TARGET].size == 0 && img->sec[SNN_SEC_IN_ROWPTR].size == 0);
	CHECK(snn_fanin_check(&b));
	CHECK(p.threshold == 1.0f && p.substeps == 1 && !p.learn);
	CHECK(p.decay_trace == (float) exp(-1.0 / 8.0));
	/* the same config and seed give the same bytes */
	{
		size_t		s2;
		snn_image  *again = build_fanin(37, 11, 5, &s2);

		CHECK(s2 == size && memcmp(img, again, size) == 0);
		free(again);
	}
	/* other kinds refuse the per-step view */
	{
		snn_config	cfg;
		snn_plan	plan;
		void	   *ff;

		snn_config_defaults(&cfg, SNN_KIND_FEEDFORWARD);
		cfg.n_inputs = 3;
		cfg.n_layers = 1;
		cfg.layers[0].size = 2;
		CHECK(snn_image_plan(&cfg, NULL, &plan, &err) == SNN_OK);
		ff = alloc64(plan.image_size, NULL);
		CHECK(snn_image_build(&cfg, NULL, &plan, ff, NULL, &err) == SNN_OK);
		CHECK(snn_image_fanin(ff, &b, &p, &err) == SNN_E_CONFIG);
		CHECK(((snn_image *) ff)->sec[SNN_SEC_FANIN].size == 0);
		free(ff);
		/* fan-in settings on another kind are refused */
		snn_config_defaults(&cfg, SNN_KIND_RESERVOIR);
		cfg.n_inputs = 3;
		cfg.layers[0].size = 10;
		cfg.fanin_k = 2;
		CHECK(snn_image_plan(&cfg, NULL, &plan, &err) == SNN_E_CONFIG);
	}
	free(img);
}

/* Validate a damaged copy: it must be refused. */
static void
expect_refused(const snn_image *img, size_t size, void (*damage) (snn_image *),
			   const char *what)
{
	snn_image  *c = alloc64(size, img);
	snn_error	err;

	damage(c);
	CHECKF(snn_image_validate(c, size, &err) != SNN_OK, "%s accepted", what);
	free(c);
}

static void
bad_pre(snn_image *h)
{
	snn_fanin	b;

	snn_fanin_view((char *) h + h->sec[SNN_SEC_FANIN].offset, 37, 7, 11, 6, &b);
	((uint16_t *) b.pre)[40] = 37;
}

static void
bad_input_line(snn_image *h)
{
	snn_fanin	b;

	snn_fanin_view((char *) h + h->sec[SNN_SEC_FANIN].offset, 37, 7, 11, 6, &b);
	((uint16_t *) b.in_idx)[3] = 11;
}

static void
bad_index(snn_image *h)
{
	snn_fanin	b;

	snn_fanin_view((char *) h + h->sec[SNN_SEC_FANIN].offset, 37, 7, 11, 6, &b);
	((uint32_t *) b.out_slot)[0] = b.out_slot[1];
}

static void
nan_weight(snn_image *h)
{
	snn_fanin	b;

	snn_fanin_view((char *) h + h->sec[SNN_SEC_FANIN].offset, 37, 7, 11, 6, &b);
	b.w[9] = NAN;
}

static void
nan_input_weight(snn_image *h)
{
	snn_fanin	b;

	snn_fanin_view((char *) h + h->sec[SNN_SEC_FANIN].offset, 37, 7, 11, 6, &b);
	((float *) b.in_w)[100] = INFINITY;
}

static void
bad_count(snn_image *h)
{
	h->n_rec_syn += 37;
}

static void
bad_section_size(snn_image *h)
{
	h->sec[SNN_SEC_FANIN].size -= 4;
}

static void
bad_trace_factor(snn_image *h)
{
	((snn_layer *) ((char *) h + h->sec[SNN_SEC_LAYERS].offset))->decay_trace = 0.5f;
}

static void
bad_k(snn_image *h)
{
	((snn_config *) ((char *) h + h->sec[SNN_SEC_CONFIG].offset))->fanin_k = 8;
}

static void
bad_kind_model(snn_image *h)
{
	snn_config *c = (snn_config *) ((char *) h + h->sec[SNN_SEC_CONFIG].offset);

	c->layers[0].neuron.model = SNN_MODEL_IZHIKEVICH;
}

/* Every kind of damage to a fanin image is refused with a format error. */
static void
test_damage(void)
{
	size_t		size;
	snn_image  *img = build_fanin(37, 11, 9, &size);

	expect_refused(img, size, bad_pre, "presynaptic index out of range");
	expect_refused(img, size, bad_input_line, "input line out of range");
	expect_refused(img, size, bad_index, "inconsistent output index");
	expect_refused(img, size, nan_weight, "NaN weight");
	expect_refused(img, size, nan_input_weight, "infinite input weight");
	expect_refused(img, size, bad_count, "synapse count");
	expect_refused(img, size, bad_section_size, "section size");
	expect_refused(img, size, bad_trace_factor, "trace factor");
	expect_refused(img, size, bad_k, "fan-in of the config");
	expect_refused(img, size, bad_kind_model, "Izhikevich fan-in");
	free(img);
}

typedef struct raster
{
	uint32_t	n;
	uint32_t	step[4096];
	uint32_t	neuron[4096];
} raster;

/* Sink: keep (step, neuron) pairs. */
static int
keep(void *arg, uint32_t step, const uint32_t *neurons, uint32_t n)
{
	raster	   *r = arg;

	for (uint32_t i = 0; i < n && r->n < 4096; i++)
	{
		r->step[r->n] = step;
		r->neuron[r->n++] = neurons[i];
	}
	return 0;
}

/*
 * snn_run over a fanin image (input events as codes of ones, one substep a
 * step, in two chunks) gives the spikes of the per-step call bit for bit.
 */
static void
test_run_matches_step(void)
{
	size_t		size;
	snn_image  *img = build_fanin(37, 11, 3, &size);
	void	   *st1 = alloc64(img->state_size, NULL),
			   *st2 = alloc64(img->state_size, NULL);
	snn_event	ev[400];
	size_t		nev = 0;
	uint64_t	rng = 77;
	raster	   *r = calloc(1, sizeof(raster));
	snn_counters c = {0};
	snn_error	err;
	snn_fanin	b;
	snn_fanin_params p;
	snn_fanin_state fs;
	uint32_t	at = 0,
				spikes = 0;

	for (uint32_t t = 0; t < 60; t++)
		for (uint32_t i = 0; i < 11; i++)
			if (snn_splitmix64_unit(&rng) < 0.4 && nev < 400)
			{
				ev[nev].step = t;
				ev[nev++].neuron = i;
			}
	snn_state_init(img, st1, 1);
	snn_state_init(img, st2, 1);
	CHECK(snn_run(img, st1, ev, nev, 0, 25, keep, r, &c, 0, &err) == SNN_OK);
	CHECK(snn_run(img, st1, ev, nev, 25, 35, keep, r, &c, 0, &err) == SNN_OK);
	CHECK(c.steps == 60 && c.input_events == nev && c.spikes == r->n);
	CHECK(r->n > 20);

	CHECK(snn_image_fanin(img, &b, &p, &err) == SNN_OK);
	snn_image_fanin_state(img, st2, &fs);
	for (uint32_t t = 0, e = 0; t < 60; t++)
	{
		float		u[11] = {0};

		while (e < nev && ev[e].step == t)
			u[ev[e++].neuron] = 1.0f;
		spikes += (uint32_t) snn_fanin_step(&b, &p, &fs, u);
		for (uint32_t i = 0; i < 37; i++)
			if (fs.spk[i])
			{
				CHECKF(at < r->n && r->step[at] == t && r->neuron[at] == i,
					   "spike %u at step %u neuron %u", at, t, i);
				at++;
			}
	}
	CHECK(at == r->n && spikes == r->n);
	{
		snn_fanin_state f1;

		/* the neuron arrays (the run also lists spikes in its scratch) */
		snn_image_fanin_state(img, st1, &f1);
		CHECK(memcmp(f1.v, fs.v, 37 * 4) == 0 && memcmp(f1.a, fs.a, 37 * 4) == 0 &&
			  memcmp(f1.trace, fs.trace, 37 * 4) == 0 &&
			  memcmp(f1.spk, fs.spk, 37) == 0 && memcmp(f1.count, fs.count, 37) == 0);
	}
	free(r);
	free(st1);
	free(st2);
	free(img);
}

/*
 * The detector's reservoir as an image: the image's block is the state's
 * section byte for byte, and stepping the image with the detector's codes
 * and run parameters reproduces the detector's own step bit for bit over
 * a stream, STDP included.
 */
static void
test_detector_image(int light)
{
	snn_detector_config cfg;
	snn_error	err;
	det_layout	L;
	void	   *st,
			   *img,
			   *fst;
	size_t		need = 0,
				sz;
	snn_fanin	b;
	snn_fanin_params p,
				ip;
	snn_fanin_state fs;
	double		norm[SNN_DETECTOR_MAX_FEATURES * 7];
	unsigned int csr = 0;

	CHECK(snn_detector_config_default(SNN_PRESET_GENERIC, &cfg, &err) == SNN_OK);
	cfg.learn_stdp = 1;
	cfg.learn_stdp_rate = 0.01;
	if (light)
	{
		cfg.res_neurons = 32;
		cfg.res_substeps = 2;
		cfg.score_signals = 1;
		cfg.res_reset = 1;
	}
	CHECK(snn_detector_validate(&cfg, &err) == SNN_OK);
	sz = snn_detector_state_size(&cfg);
	st = alloc64(sz, NULL);
	CHECK(snn_detector_init(&cfg, st, sz, 42, &err) == SNN_OK);
	det_layout_of(&cfg, &L);
	CHECK(snn_detector_network(&cfg, st, 0, NULL, 0, &need, &err) == SNN_OK);
	img = alloc64(need, NULL);
	CHECKF(snn_detector_network(&cfg, st, 0, img, need, &need, &err) == SNN_OK, "%s", err.msg);
	CHECK(snn_detector_network(&cfg, st, 1, img, need, &need, &err) == SNN_E_RANGE);
	CHECK(memcmp((char *) img + ((snn_image *) img)->sec[SNN_SEC_FANIN].offset,
				 (char *) st + L.off_ridx, ((snn_image *) img)->sec[SNN_SEC_FANIN].size) == 0);
	/* the member's layout holds the section where snn_fanin_layout_of puts it */
	{
		snn_fanin_layout lay;

		snn_fanin_layout_of((uint32_t) L.n, (uint32_t) L.k, (uint32_t) L.kin, &lay);
		CHECK(L.off_rw - L.off_ridx == lay.off_w && L.off_rptr - L.off_ridx == lay.off_ptr &&
			  L.off_rslot - L.off_ridx == lay.off_slot &&
			  L.off_rpost - L.off_ridx == lay.off_post &&
			  L.off_iidx - L.off_ridx == lay.off_iidx && L.off_iw - L.off_ridx == lay.off_iw &&
			  L.off_w >= L.off_ridx + lay.size);
	}

	CHECK(snn_image_fanin(img, &b, &ip, &err) == SNN_OK);
	det_fanin_params(&cfg, 1, &p);
	CHECK(ip.decay_m == p.decay_m && ip.decay_adapt == p.decay_adapt &&
		  ip.decay_trace == p.decay_trace && ip.threshold == p.threshold &&
		  ip.adapt_inc == p.adapt_inc);
	/* the caller's part of a run: substeps, reset, learning */
	ip.substeps = p.substeps;
	ip.reset = p.reset;
	ip.learn = p.learn;
	ip.a_plus = p.a_plus;
	ip.a_minus = p.a_minus;
	ip.w_max = p.w_max;
	fst = alloc64(((snn_image *) img)->state_size, NULL);
	snn_state_init(img, fst, 0);
	snn_image_fanin_state(img, fst, &fs);
	for (int i = 0; i < 300; i++)
	{
		double		x = 50.0 + 20.0 * sin(i * 0.1) + (i == 200 ? 90.0 : 0.0),
					score,
					outside;
		int64_t		ts = 1396310400LL * 1000000LL + (int64_t) i * 300000000LL;
		float		u[SNN_DETECTOR_MAX_FEATURES * SNN_DETECTOR_MAX_FIELDS * 2 +
					  SNN_DETECTOR_MAX_FIELDS + 7];
		int			of,
					spikes;
		snn_detector_detail d;

		/* the event's code, as the step will make it */
		memcpy(norm, (char *) st + L.off_norm, sizeof(double) * L.nf * 7);
#ifdef DET_HAVE_MXCSR
		csr = _mm_getcsr();
		_mm_setcsr(csr | 0x8040);
#endif
		det_encode_event(&cfg, &L, norm, &x, ts, 1, u, &outside, &of);
		spikes = snn_fanin_step(&b, &ip, &fs, u);
#ifdef DET_HAVE_MXCSR
		_mm_setcsr(csr);
#endif
		CHECK(snn_detector_step(&cfg, st, &x, 1, ts, &score, &d, &err) == SNN_OK);
		CHECKF(spikes == d.n_spikes, "event %d: %d spikes, detector %d", i, spikes, d.n_spikes);
		CHECKF(memcmp(fs.v, (char *) st + L.off_v, sizeof(float) * L.n) == 0 &&
			   memcmp(fs.a, (char *) st + L.off_a, sizeof(float) * L.n) == 0 &&
			   memcmp(fs.trace, (char *) st + L.off_tr, sizeof(float) * L.n) == 0 &&
			   memcmp(fs.spk, (char *) st + L.off_spk, L.n) == 0 &&
			   memcmp(fs.count, (char *) st + L.off_cnt, L.n) == 0,
			   "event %d: neuron state differs", i);
	}
	/* STDP learned the same weights in both */
	CHECK(memcmp(b.w, (char *) st + L.off_rw, sizeof(float) * L.n * L.k) == 0);
	CHECK(memcmp(b.w, (char *) img + ((snn_image *) img)->sec[SNN_SEC_FANIN].offset +
				 (L.off_rw - L.off_ridx), 4) == 0);
	/* and the image of the learned state is a valid image too */
	CHECK(snn_detector_network(&cfg, st, 0, img, need, &need, &err) == SNN_OK);
	free(fst);
	free(img);
	free(st);
}

int
main(void)
{
	test_build();
	test_damage();
	test_run_matches_step();
	test_detector_image(0);
	test_detector_image(1);
	UNIT_DONE();
}
