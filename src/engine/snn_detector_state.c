/*
 * snn_detector_state.c: a stream state: initialisation from a seed (wiring,
 * weights) and the checks a restored or imported state must pass.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"
#include "snn_fanin.h"
#include "snn_random.h"

/* One member: its own seeded reservoir and input weights, empty memories. */
static void
init_member(const snn_detector_config *cfg, const det_layout *L, void *state,
			uint64_t seed)
{
	det_head   *h = (det_head *) state;
	snn_fanin_spec spec;

	h->magic = DET_MAGIC;
	h->version = DET_VERSION;
	h->size = L->size;
	h->cfg_hash = det_config_hash(cfg);

	/* the reservoir: the engine's fan-in block, wired in its section */
	det_fanin_spec(cfg, L, seed, &spec);
	h->rng = snn_fanin_build(&spec, SEC(state, *L, off_ridx, char));
	h->last_ts = INT64_MIN;
}

/*
 * The seed of member m: member 0 has the detector's own seed, so a single
 * reservoir is the first member of every ensemble of the same seed.
 */
static uint64_t
member_seed(uint64_t seed, int m)
{
	return seed ^ ((uint64_t) m * SNN_GOLDEN_GAMMA);
}

snn_status
snn_detector_init(const snn_detector_config *cfg, void *state,
				  size_t state_size, uint64_t seed, snn_error *err)
{
	det_layout	L;
	snn_status	st;

	if ((st = snn_detector_validate(cfg, err)) != SNN_OK)
		return st;
	det_layout_of(cfg, &L);
	if (state == NULL || state_size < L.total)
		return snn_fail(err, SNN_E_NOMEM, "state",
						"detector state buffer of %zu bytes, %zu needed",
						state_size, L.total);
	memset(state, 0, L.total);
	for (int m = 0; m < L.nens; m++)
		init_member(cfg, &L, MEMBER(state, L, m), member_seed(seed, m));
	((det_head *) state)->size = L.total;
	return SNN_OK;
}

/* A position p of a ring of n slots, with c of them filled, is usable. */
static int
ring_ok(int32_t p, int32_t c, int n)
{
	return c >= 0 && c <= n && (n == 0 ? p == 0 : p >= 0 && p < n);
}

/*
 * Every index a step follows or writes through (ring positions, synapse and
 * input indices, the output index of STDP) stays inside its section, so a
 * damaged state that passed the checksum cannot make a step touch memory
 * outside the buffer.
 */
static int
state_indices_ok(const det_layout *L, const void *state)
{
	const det_head *h = (const det_head *) state;
	snn_fanin	b;

	/* a negative event count would overflow the surprise memory's gap test */
	if (h->events < 0 ||
		!ring_ok(h->mem_pos, h->mem_count, L->nm) ||
		!ring_ok(h->smem_pos, h->smem_count, L->nsm) ||
		!ring_ok(h->calib_pos, h->calib_count, L->nc) ||
		!ring_ok(h->short_pos, h->short_count, L->ns))
		return 0;
	/* the block is only read here (the cast drops const for its type) */
	det_block(L, (void *) state, &b);
	return snn_fanin_check(&b);
}

/* True when n floats from p are all finite. */
static int
floats_finite(const float *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(p[i]))
			return 0;
	return 1;
}

/* True when n doubles from p are all finite. */
static int
doubles_finite(const double *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(p[i]))
			return 0;
	return 1;
}

/*
 * Every number of a member is finite: a state from outside (an import, a
 * damaged file with a valid checksum) with a NaN or an infinity would
 * otherwise give scores that are not numbers.
 */
static int
state_numbers_ok(const det_layout *L, const void *state)
{
	const det_head *h = (const det_head *) state;
	size_t		nk = (size_t) L->n * L->k;

	return doubles_finite(h->short_sum, N_SIGNALS) &&
		doubles_finite(h->lmean, N_SIGNALS) &&
		doubles_finite(h->lvar, N_SIGNALS) &&
		doubles_finite(h->lcount, N_SIGNALS) &&
		isfinite(h->last_score) && isfinite(h->alarm_adapt) && isfinite(h->x_norm) &&
		doubles_finite(CSEC(state, *L, off_norm, double), (size_t) L->nf * 7) &&
		floats_finite(CSEC(state, *L, off_v, float), L->n) &&
		floats_finite(CSEC(state, *L, off_a, float), L->n) &&
		floats_finite(CSEC(state, *L, off_tr, float), L->n) &&
		floats_finite(CSEC(state, *L, off_rw, float), nk) &&
		floats_finite(CSEC(state, *L, off_iw, float), (size_t) L->n * L->kin) &&
		floats_finite(CSEC(state, *L, off_w, float), (size_t) L->nval * L->nx) &&
		floats_finite(CSEC(state, *L, off_x, float), L->nx) &&
		floats_finite(CSEC(state, *L, off_yhat, float), L->nval) &&
		doubles_finite(CSEC(state, *L, off_short, double), (size_t) N_SIGNALS * L->ns) &&
		floats_finite(CSEC(state, *L, off_calib, float), (size_t) N_SIGNALS * L->nc);
}

snn_status
snn_detector_check_state(const snn_detector_config *cfg, const void *state,
						 size_t state_size, snn_error *err)
{
	const det_head *h = (const det_head *) state;
	det_layout	L;
	snn_status	st;

	if ((st = snn_detector_validate(cfg, err)) != SNN_OK)
		return st;
	det_layout_of(cfg, &L);
	if (state == NULL || state_size < sizeof(det_head))
		return snn_fail(err, SNN_E_FORMAT, "state", "detector state is too short");
	if (h->magic != DET_MAGIC || h->version != DET_VERSION)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"not a detector state of format version %u", DET_VERSION);
	if (h->size != L.total || state_size < L.total)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state of %llu bytes, configuration needs %zu",
						(unsigned long long) h->size, L.total);
	if (h->cfg_hash != det_config_hash(cfg))
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state was made for another configuration");
	/* the refractory period scales the score: outside it, no score in [0, 1] */
	if (h->refractory_left < 0 || h->refractory_left > cfg->score_refractory)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state has a refractory count out of range");
	if (h->winner < 0 || h->winner >= L.nens)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state names member %d of an ensemble of %d",
						h->winner, L.nens);
	for (int m = 0; m < L.nens; m++)
	{
		const det_head *hm = (const det_head *) CMEMBER(state, L, m);

		if (m > 0 && (hm->magic != DET_MAGIC || hm->version != DET_VERSION ||
					  hm->size != L.size || hm->cfg_hash != h->cfg_hash))
			return snn_fail(err, SNN_E_FORMAT, "state",
							"member %d of the detector state is damaged", m);
		if (!state_indices_ok(&L, CMEMBER(state, L, m)))
			return snn_fail(err, SNN_E_FORMAT, "state",
							"detector state has an index out of range");
		if (!state_numbers_ok(&L, CMEMBER(state, L, m)))
			return snn_fail(err, SNN_E_FORMAT, "state",
							"detector state holds a number that is not finite");
	}
	if (!det_level_state_ok(cfg, &L, state))
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state has a damaged level-change section");
	return SNN_OK;
}
