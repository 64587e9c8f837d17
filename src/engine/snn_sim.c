/*
 * snn_sim.c: the simulator: state initialisation and the step loop.
 *
 * Membrane updates are vectorised layer by layer, since a layer shares its
 * parameters and starts at a slot multiple of 16: with SIMDe (four lanes of
 * float: SSE on x86-64, NEON or portable C elsewhere) and, for LIF and
 * adaptive LIF on x86-64 CPUs that have it, an AVX2 variant of eight lanes
 * chosen at run time.  The scalar path performs the same float operations
 * in the same order (no fused multiply-add anywhere), so every path gives
 * bit-identical states and spikes (test_network.c checks it).
 * Synaptic delivery is event driven: only neurons (and inputs) that fired
 * in a step walk their CSR rows and add weights to target currents.
 */
#include "snn_image.h"
#include "snn_fanin.h"
#include "snn_interrupt.h"
#include "snn_random.h"

#include <math.h>
#include <string.h>

#include <simde/x86/sse4.1.h>

#include "snn_sim_int.h"

#define ALIGN_UP(x, a)	(((x) + (a) - 1) / (a) * (a))


/* Carve the state buffer into its arrays (see state_bytes in snn_image.c). */
static void
state_map(const snn_image *img, void *state, state_view *s)
{
	size_t		arr = ALIGN_UP((size_t) img->n_slots * 4, SNN_ALIGN);
	char	   *p = (char *) state + SNN_ALIGN;

	s->v = (float *) p;
	s->cur = (float *) (p + arr);	/* two arrays: exc, inh */
	s->adapt = (float *) (p + 3 * arr);
	s->ref = (int32_t *) (p + 4 * arr);
	s->spk_slot = (uint32_t *) (p + 5 * arr);
	s->spk_id = (uint32_t *) (p + 6 * arr);
}

void
snn_state_get(const snn_image *img, void *state, snn_state_arrays *out)
{
	state_view	s;

	state_map(img, state, &s);
	out->v = s.v;
	out->cur_exc = s.cur;
	out->cur_inh = s.cur + img->n_slots;
	out->adapt = s.adapt;
	out->ref = s.ref;
}

snn_status
snn_image_fanin(const snn_image *img, snn_fanin *b, snn_fanin_params *p,
				snn_error *err)
{
	const snn_layer *L = snn_layers(img);

	if (img->kind != SNN_KIND_FANIN)
		return snn_fail(err, SNN_E_CONFIG, "kind",
						"a network of kind %s has no fan-in block",
						snn_kind_name(img->kind));
	/* the weights are the image's: writable only in a private copy */
	snn_fanin_view((char *) img + img->sec[SNN_SEC_FANIN].offset,
				   img->n_neurons, (uint32_t) (img->n_rec_syn / img->n_neurons),
				   img->n_inputs, (uint32_t) (img->n_in_syn / img->n_neurons), b);
	memset(p, 0, sizeof(*p));
	p->decay_m = L->decay_m;
	p->decay_adapt = L->decay_adapt;
	p->decay_trace = L->decay_trace;
	p->threshold = L->p.v_th;
	p->adapt_inc = L->model == SNN_MODEL_ALIF ? L->p.adapt_inc : 0.0f;
	p->substeps = 1;
	return SNN_OK;
}

void
snn_image_fanin_state(const snn_image *img, void *state, snn_fanin_state *s)
{
	state_view	sv;

	/* v and adaptation where the other kinds keep them; bytes in ref */
	state_map(img, state, &sv);
	s->v = sv.v;
	s->a = sv.adapt;
	s->trace = sv.cur;
	s->spk = (uint8_t *) sv.ref;
	s->count = (uint8_t *) sv.ref + img->n_slots;
}

/*
 * snn_run over an image of kind fanin: each step one substep whose code is
 * 1 on the inputs with an event at that step; the sink gets the neurons
 * that fired, in ascending order.
 */
static snn_status
run_fanin(const snn_image *img, void *state, const snn_event *input,
		  size_t n_input, size_t in_i, uint32_t first_step, uint32_t steps,
		  snn_spike_fn sink, void *sink_arg, snn_counters *c, snn_error *err)
{
	snn_fanin	b;
	snn_fanin_params p;
	snn_fanin_state fs;
	state_view	sv;
	uint8_t		on[65536 / 8];
	float		in[SNN_FANIN_MAX_NEURONS];
	uint64_t	syn = 0,
				spikes = 0,
				inev = 0;
	snn_status	st;

	if ((st = snn_image_fanin(img, &b, &p, err)) != SNN_OK)
		return st;
	snn_image_fanin_state(img, state, &fs);
	state_map(img, state, &sv);
	memset(on, 0, sizeof(on));
	for (uint32_t t = first_step; t < first_step + steps; t++)
	{
		size_t		from = in_i;
		uint32_t	nspk = 0;

		while (in_i < n_input && input[in_i].step == t)
		{
			uint32_t	line = input[in_i++].neuron;

			on[line >> 3] |= (uint8_t) (1u << (line & 7));
		}
		snn_fanin_input_bits(&b, on, in);
		(void) snn_fanin_run(&b, &p, &fs, in);
		for (size_t e = from; e < in_i; e++)
			on[input[e].neuron >> 3] = 0;
		inev += in_i - from;
		for (uint32_t i = 0; i < b.n; i++)
			if (fs.spk[i])
			{
				sv.spk_id[nspk++] = i;
				syn += b.out_ptr[i + 1] - b.out_ptr[i];
			}
		spikes += nspk;
		if (nspk && sink && sink(sink_arg, t, sv.spk_id, nspk) != 0)
			return snn_fail(err, SNN_E_NOMEM, "output", "the spike output is full");
		if (snn_interrupted((uint64_t) b.n * (b.k + b.kin)))
			return snn_cancelled(err);
	}
	if (c)
	{
		c->steps += steps;
		c->spikes += spikes;
		c->layer_spikes[0] += spikes;
		c->input_events += inev;
		c->synaptic_events += syn + (uint64_t) b.n * b.kin * steps;
		c->neuron_updates += (uint64_t) b.n * steps;
	}
	return SNN_OK;
}

uint32_t
snn_neuron_slot(const snn_image *img, uint32_t neuron)
{
	const snn_layer *L = snn_layers(img) + snn_neuron_layer(img, neuron);

	return L->first_slot + (neuron - L->first_neuron);
}

size_t
snn_state_size(const snn_image *img)
{
	return img->state_size;
}

void
snn_state_init(const snn_image *img, void *state, uint64_t seed)
{
	state_view	s;
	const snn_layer *L = snn_layers(img);
	uint64_t	rng = seed ^ 0x5EEDF00DULL;

	memset(state, 0, img->state_size);
	state_map(img, state, &s);
	for (uint32_t l = 0; l < img->n_layers; l++)
	{
		const snn_neuron_config *p = &L[l].p;
		uint32_t	padded = ALIGN_UP(L[l].size, SNN_SLOT_ALIGN);

		for (uint32_t i = 0; i < padded; i++)
		{
			uint32_t	slot = L[l].first_slot + i;
			float		v = p->v_init_min;

			if (p->v_init_max > p->v_init_min)
			{
				double		u = snn_splitmix64_unit(&rng);

				v = (float) (p->v_init_min + (p->v_init_max - p->v_init_min) * u);
			}
			s.v[slot] = v;
			if (p->model == SNN_MODEL_IZHIKEVICH)
				s.adapt[slot] = p->izh_b * v;
		}
	}
}

/* ---- scalar membrane updates: the definition the vector path matches ---- */

/* One step of a LIF/ALIF layer, plain C; returns spikes appended. */
static uint32_t
update_lif_scalar(const snn_layer *L, state_view *s, uint32_t n_slots, uint32_t nspk)
{
	const float A = L->decay_m,
				D = L->drive,
				ge = L->gain_exc,
				gi = L->gain_inh,
				de = L->decay_exc,
				di = L->decay_inh,
				da = L->decay_adapt,
				vth = L->p.v_th,
				vr = L->p.v_reset,
				inc = L->p.adapt_inc;
	const int	alif = L->model == SNN_MODEL_ALIF;

	/* up to the vector width, so padding lanes evolve as in the vector path */
	for (uint32_t i = 0; i < ALIGN_UP(L->size, 4); i++)
	{
		uint32_t	k = L->first_slot + i;
		float		v = s->v[k],
					ie = s->cur[k],
					ii = s->cur[n_slots + k];
		int32_t		ref = s->ref[k] - 1;
		float		th = vth;

		if (ref < 0)
			ref = 0;
		if (ref == 0)
			v = v * A + D + ie * ge + ii * gi;
		s->cur[k] = ie * de;
		s->cur[n_slots + k] = ii * di;
		if (alif)
		{
			float		a = s->adapt[k] * da;

			th = vth + a;
			s->adapt[k] = a;
		}
		if (ref == 0 && v > th && i < L->size)
		{
			v = vr;
			ref = L->ref_steps;
			if (alif)
				s->adapt[k] = s->adapt[k] + inc;
			s->spk_slot[nspk] = k;
			s->spk_id[nspk++] = L->first_neuron + i;
		}
		s->v[k] = v;
		s->ref[k] = ref;
	}
	return nspk;
}

/* One step of an Izhikevich layer, plain C. */
static uint32_t
update_izh_scalar(const snn_layer *L, state_view *s, uint32_t n_slots, uint32_t nspk)
{
	const float h = L->izh_h,
				a = L->p.izh_a,
				b = L->p.izh_b,
				c = L->p.v_reset,
				d = L->p.izh_d,
				vpk = L->p.v_th,
				bias = L->p.bias,
				de = L->decay_exc,
				di = L->decay_inh,
				lo = -1000.0f;

	for (uint32_t i = 0; i < ALIGN_UP(L->size, 4); i++)
	{
		uint32_t	k = L->first_slot + i;
		float		v = s->v[k],
					u = s->adapt[k],
					ie = s->cur[k],
					ii = s->cur[n_slots + k];
		float		I = ie + ii + bias;
		int32_t		ref = s->ref[k] - 1;

		if (ref < 0)
			ref = 0;
		if (ref == 0)
		{
			for (int n = 0; n < L->izh_substeps; n++)
			{
				float		dv = (0.04f * v + 5.0f) * v + 140.0f - u + I;
				float		du = a * (b * v - u);

				v = v + h * dv;
				u = u + h * du;
				v = v < vpk ? v : vpk;
				v = v > lo ? v : lo;
			}
		}
		s->cur[k] = ie * de;
		s->cur[n_slots + k] = ii * di;
		if (ref == 0 && v >= vpk && i < L->size)
		{
			v = c;
			u = u + d;
			ref = L->ref_steps;
			s->spk_slot[nspk] = k;
			s->spk_id[nspk++] = L->first_neuron + i;
		}
		s->v[k] = v;
		s->adapt[k] = u;
		s->ref[k] = ref;
	}
	return nspk;
}

/* ---- vector membrane updates (SIMDe, 4 lanes) ---- */

/* Append the lanes set in mask (4 bits) of the chunk at slot k. */
static inline uint32_t
push_spikes(const snn_layer *L, state_view *s, uint32_t k, int mask, uint32_t nspk)
{
	while (mask)
	{
		int			lane = __builtin_ctz((unsigned) mask);
		uint32_t	slot = k + (uint32_t) lane;

		s->spk_slot[nspk] = slot;
		s->spk_id[nspk++] = L->first_neuron + (slot - L->first_slot);
		mask &= mask - 1;
	}
	return nspk;
}

/* Lanes of the chunk at offset i (from the layer start) that are neurons. */
static inline int
valid_lanes(uint32_t i, uint32_t size)
{
	uint32_t	left = size - i;

	return left >= 4 ? 0xF : (1 << left) - 1;
}

static uint32_t
update_lif_simd(const snn_layer *L, state_view *s, uint32_t n_slots, uint32_t nspk)
{
	const simde__m128 A = simde_mm_set1_ps(L->decay_m),
				D = simde_mm_set1_ps(L->drive),
				ge = simde_mm_set1_ps(L->gain_exc),
				gi = simde_mm_set1_ps(L->gain_inh),
				de = simde_mm_set1_ps(L->decay_exc),
				di = simde_mm_set1_ps(L->decay_inh),
				da = simde_mm_set1_ps(L->decay_adapt),
				vth = simde_mm_set1_ps(L->p.v_th),
				vr = simde_mm_set1_ps(L->p.v_reset),
				inc = simde_mm_set1_ps(L->p.adapt_inc);
	const simde__m128i one = simde_mm_set1_epi32(1),
				zero = simde_mm_setzero_si128(),
				rsteps = simde_mm_set1_epi32(L->ref_steps);
	const int	alif = L->model == SNN_MODEL_ALIF;
	float	   *pv = s->v,
			   *pe = s->cur,
			   *pi = s->cur + n_slots,
			   *pa = s->adapt;
	int32_t    *pr = s->ref;

	for (uint32_t i = 0; i < L->size; i += 4)
	{
		uint32_t	k = L->first_slot + i;
		simde__m128 v = simde_mm_load_ps(pv + k),
					ie = simde_mm_load_ps(pe + k),
					ii = simde_mm_load_ps(pi + k),
					th = vth,
					vn,
					refm,
					spk;
		simde__m128i ref = simde_mm_load_si128((simde__m128i *) (pr + k));
		int			mask;

		ref = simde_mm_max_epi32(simde_mm_sub_epi32(ref, one), zero);
		refm = simde_mm_castsi128_ps(simde_mm_cmpgt_epi32(ref, zero));
		vn = simde_mm_add_ps(simde_mm_add_ps(simde_mm_add_ps(simde_mm_mul_ps(v, A), D),
											 simde_mm_mul_ps(ie, ge)),
							 simde_mm_mul_ps(ii, gi));
		v = simde_mm_blendv_ps(vn, v, refm);
		simde_mm_store_ps(pe + k, simde_mm_mul_ps(ie, de));
		simde_mm_store_ps(pi + k, simde_mm_mul_ps(ii, di));
		if (alif)
		{
			simde__m128 a = simde_mm_mul_ps(simde_mm_load_ps(pa + k), da);

			th = simde_mm_add_ps(vth, a);
			simde_mm_store_ps(pa + k, a);
		}
		spk = simde_mm_andnot_ps(refm, simde_mm_cmpgt_ps(v, th));
		mask = simde_mm_movemask_ps(spk) & valid_lanes(i, L->size);
		if (mask)
		{
			static const int32_t lanes[16][4] = {
				{0, 0, 0, 0}, {-1, 0, 0, 0}, {0, -1, 0, 0}, {-1, -1, 0, 0},
				{0, 0, -1, 0}, {-1, 0, -1, 0}, {0, -1, -1, 0}, {-1, -1, -1, 0},
				{0, 0, 0, -1}, {-1, 0, 0, -1}, {0, -1, 0, -1}, {-1, -1, 0, -1},
				{0, 0, -1, -1}, {-1, 0, -1, -1}, {0, -1, -1, -1}, {-1, -1, -1, -1}
			};
			simde__m128i mi = simde_mm_loadu_si128((const simde__m128i *) lanes[mask]);
			simde__m128 mf = simde_mm_castsi128_ps(mi);

			v = simde_mm_blendv_ps(v, vr, mf);
			ref = simde_mm_blendv_epi8(ref, rsteps, mi);
			if (alif)
				simde_mm_store_ps(pa + k, simde_mm_add_ps(simde_mm_load_ps(pa + k),
														  simde_mm_and_ps(inc, mf)));
			nspk = push_spikes(L, s, k, mask, nspk);
		}
		simde_mm_store_ps(pv + k, v);
		simde_mm_store_si128((simde__m128i *) (pr + k), ref);
	}
	return nspk;
}

#ifdef SNN_SIM_HAVE_AVX2
/* True when the CPU runs AVX2 (checked once). */
static int
have_avx2(void)
{
	static int	cached = -1;

	if (cached < 0)
		cached = __builtin_cpu_supports("avx2") ? 1 : 0;
	return cached;
}
#else
#define have_avx2() 0
#define snn_sim_update_lif_avx2 update_lif_simd
#endif

static uint32_t
update_izh_simd(const snn_layer *L, state_view *s, uint32_t n_slots, uint32_t nspk)
{
	const simde__m128 h = simde_mm_set1_ps(L->izh_h),
				a = simde_mm_set1_ps(L->p.izh_a),
				b = simde_mm_set1_ps(L->p.izh_b),
				c = simde_mm_set1_ps(L->p.v_reset),
				d = simde_mm_set1_ps(L->p.izh_d),
				vpk = simde_mm_set1_ps(L->p.v_th),
				bias = simde_mm_set1_ps(L->p.bias),
				de = simde_mm_set1_ps(L->decay_exc),
				di = simde_mm_set1_ps(L->decay_inh),
				lo = simde_mm_set1_ps(-1000.0f),
				k004 = simde_mm_set1_ps(0.04f),
				k5 = simde_mm_set1_ps(5.0f),
				k140 = simde_mm_set1_ps(140.0f);
	const simde__m128i one = simde_mm_set1_epi32(1),
				zero = simde_mm_setzero_si128(),
				rsteps = simde_mm_set1_epi32(L->ref_steps);

	for (uint32_t i = 0; i < L->size; i += 4)
	{
		uint32_t	k = L->first_slot + i;
		simde__m128 v = simde_mm_load_ps(s->v + k),
					u = simde_mm_load_ps(s->adapt + k),
					ie = simde_mm_load_ps(s->cur + k),
					ii = simde_mm_load_ps(s->cur + n_slots + k),
					I = simde_mm_add_ps(simde_mm_add_ps(ie, ii), bias),
					v0,
					u0,
					refm,
					spk;
		simde__m128i ref = simde_mm_load_si128((simde__m128i *) (s->ref + k));
		int			mask;

		ref = simde_mm_max_epi32(simde_mm_sub_epi32(ref, one), zero);
		refm = simde_mm_castsi128_ps(simde_mm_cmpgt_epi32(ref, zero));
		v0 = v;
		u0 = u;
		for (int n = 0; n < L->izh_substeps; n++)
		{
			simde__m128 dv = simde_mm_add_ps(simde_mm_sub_ps(simde_mm_add_ps(
																			 simde_mm_mul_ps(simde_mm_add_ps(simde_mm_mul_ps(k004, v), k5), v), k140), u), I);
			simde__m128 du = simde_mm_mul_ps(a, simde_mm_sub_ps(simde_mm_mul_ps(b, v), u));

			v = simde_mm_add_ps(v, simde_mm_mul_ps(h, dv));
			u = simde_mm_add_ps(u, simde_mm_mul_ps(h, du));
			v = simde_mm_min_ps(v, vpk);
			v = simde_mm_max_ps(v, lo);
		}
		v = simde_mm_blendv_ps(v, v0, refm);
		u = simde_mm_blendv_ps(u, u0, refm);
		simde_mm_store_ps(s->cur + k, simde_mm_mul_ps(ie, de));
		simde_mm_store_ps(s->cur + n_slots + k, simde_mm_mul_ps(ii, di));
		spk = simde_mm_andnot_ps(refm, simde_mm_cmpge_ps(v, vpk));
		mask = simde_mm_movemask_ps(spk) & valid_lanes(i, L->size);
		if (mask)
		{
			for (int lane = 0; lane < 4; lane++)
				if (mask & (1 << lane))
				{
					float		vv[4],
								uu[4];
					int32_t		rr[4];

					simde_mm_storeu_ps(vv, v);
					simde_mm_storeu_ps(uu, u);
					simde_mm_storeu_si128((simde__m128i *) rr, ref);
					vv[lane] = simde_mm_cvtss_f32(c);
					uu[lane] = uu[lane] + simde_mm_cvtss_f32(d);
					rr[lane] = L->ref_steps;
					v = simde_mm_loadu_ps(vv);
					u = simde_mm_loadu_ps(uu);
					ref = simde_mm_loadu_si128((simde__m128i *) rr);
				}
			(void) rsteps;
			nspk = push_spikes(L, s, k, mask, nspk);
		}
		simde_mm_store_ps(s->v + k, v);
		simde_mm_store_ps(s->adapt + k, u);
		simde_mm_store_si128((simde__m128i *) (s->ref + k), ref);
	}
	return nspk;
}

/* ---- the step loop ---- */

/* Add the weights of one CSR row to the target currents. */
static inline void
deliver(float *restrict cur, const uint32_t *restrict tg, const float *restrict w,
		uint32_t begin, uint32_t end)
{
	for (uint32_t j = begin; j < end; j++)
		cur[tg[j]] += w[j];
}

snn_status
snn_run(const snn_image *img, void *state, const snn_event *input, size_t n_input,
		uint32_t first_step, uint32_t steps, snn_spike_fn sink, void *sink_arg, snn_counters *c,
		int flags, snn_error *err)
{
	state_view	s;
	const snn_layer *L = snn_layers(img);
	const uint32_t *in_rp = snn_sec(img, SNN_SEC_IN_ROWPTR);
	const uint32_t *in_tg = snn_sec(img, SNN_SEC_IN_TARGET);
	const float *in_w = snn_sec(img, SNN_SEC_IN_WEIGHT);
	const uint32_t *rp = snn_sec(img, SNN_SEC_REC_ROWPTR);
	const uint32_t *tg = snn_sec(img, SNN_SEC_REC_TARGET);
	const float *w = snn_sec(img, SNN_SEC_REC_WEIGHT);
	uint32_t	n_slots = img->n_slots;
	size_t		in_i = 0;
	int			scalar = (flags & SNN_RUN_SCALAR) != 0;
	int			avx2 = !(flags & SNN_RUN_SSE) && have_avx2();
	uint64_t	syn = 0,
				spikes = 0,
				inev = 0;

	if (steps > SNN_MAX_STEPS || first_step > SNN_MAX_STEPS - steps)
		return snn_fail(err, SNN_E_LIMIT, "steps", "steps must be at most %d",
						SNN_MAX_STEPS);
	for (size_t e = 0; e < ((flags & SNN_RUN_INPUT_CHECKED) ? 0 : n_input); e++)
	{
		if (input[e].neuron >= img->n_inputs)
			return snn_fail(err, SNN_E_DIM, "input",
							"input event %zu is for input neuron %u, but the network has %u inputs",
							e, input[e].neuron, img->n_inputs);
		if (e > 0 && (input[e].step < input[e - 1].step ||
					  (input[e].step == input[e - 1].step && input[e].neuron <= input[e - 1].neuron)))
			return snn_fail(err, SNN_E_FORMAT, "input", "input events are not sorted by step and neuron");
	}
	state_map(img, state, &s);
	{
		/* first event of the chunk */
		size_t		lo = 0,
					hi = n_input;

		while (lo < hi)
		{
			size_t		mid = lo + (hi - lo) / 2;

			if (input[mid].step < first_step)
				lo = mid + 1;
			else
				hi = mid;
		}
		in_i = lo;
	}
	if (img->kind == SNN_KIND_FANIN)
		return run_fanin(img, state, input, n_input, in_i, first_step, steps,
						 sink, sink_arg, c, err);

	for (uint32_t t = first_step; t < first_step + steps; t++)
	{
		uint32_t	nspk = 0;
		uint64_t	syn_before = syn;

		for (uint32_t l = 0; l < img->n_layers; l++)
		{
			uint32_t	before = nspk;

			if (L[l].model == SNN_MODEL_IZHIKEVICH)
				nspk = scalar ? update_izh_scalar(&L[l], &s, n_slots, nspk)
					: update_izh_simd(&L[l], &s, n_slots, nspk);
			else if (scalar)
				nspk = update_lif_scalar(&L[l], &s, n_slots, nspk);
			else if (avx2)
				nspk = snn_sim_update_lif_avx2(&L[l], &s, n_slots, nspk);
			else
				nspk = update_lif_simd(&L[l], &s, n_slots, nspk);
			if (c && l < SNN_MAX_LAYERS)
				c->layer_spikes[l] += nspk - before;
		}
		/* input events of step t (a source may appear once a step) */
		while (in_i < n_input && input[in_i].step == t)
		{
			uint32_t	src = input[in_i].neuron;

			deliver(s.cur, in_tg, in_w, in_rp[src], in_rp[src + 1]);
			syn += in_rp[src + 1] - in_rp[src];
			in_i++;
			inev++;
		}
		for (uint32_t k = 0; k < nspk; k++)
		{
			uint32_t	src = s.spk_slot[k];

			deliver(s.cur, tg, w, rp[src], rp[src + 1]);
			syn += rp[src + 1] - rp[src];
		}
		spikes += nspk;
		if (nspk && sink && sink(sink_arg, t, s.spk_id, nspk) != 0)
			return snn_fail(err, SNN_E_NOMEM, "output", "the spike output is full");
		/* a step: every slot updated, every delivered weight added */
		if (snn_interrupted((uint64_t) n_slots + syn - syn_before))
			return snn_cancelled(err);
	}
	if (c)
	{
		uint64_t	upd = 0;

		for (uint32_t l = 0; l < img->n_layers; l++)
			upd += L[l].size;
		c->steps += steps;
		c->spikes += spikes;
		c->input_events += inev;
		c->synaptic_events += syn;
		c->neuron_updates += upd * steps;
	}
	return SNN_OK;
}
