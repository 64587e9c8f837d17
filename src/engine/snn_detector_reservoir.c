/*
 * snn_detector_reservoir.c: the spiking reservoir: adaptive LIF substeps,
 * sparse input and recurrent currents, STDP on the synapses of the neurons
 * that fired.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"

/*
 * One STDP change of a weight: sign kept (Dale), magnitude in [0, wmax], no
 * change when dw is 0 or when skip is set.  The selects are masks on the
 * bits: the weight's sign and a change's clamp at 0 are coin flips, which
 * as branches mispredicted (most of a step's time with the defaults).  A
 * weight of -0 counts as excitatory, as "old < 0" says.
 */
static inline void
stdp_apply(float *w, float dw, float wmax, int skip)
{
	float		old = *w,
				mag = fabsf(old) + dw;
	uint32_t	ob,
				mb,
				neg = -(uint32_t) (old < 0.0f),
				low = -(uint32_t) (mag < 0.0f),
				keep = -(uint32_t) (dw != 0.0f && !skip);

	mag = mag > wmax ? wmax : mag;
	memcpy(&ob, &old, sizeof(ob));
	memcpy(&mb, &mag, sizeof(mb));
	mb &= ~low;					/* below 0: +0 */
	mb ^= neg & 0x80000000u;	/* the sign of the old weight */
	mb = (mb & keep) | (ob & ~keep);
	memcpy(w, &mb, sizeof(mb));
}

/*
 * Pair-based STDP with traces for the synapses of the neurons that fired in
 * this substep (fl, n_fired of them): a synapse onto a firing neuron is
 * potentiated by its pre's trace (and depressed as well when the pre fired
 * too); a synapse from a firing neuron onto a silent one is depressed by the
 * post's trace.  Every other synapse is unchanged, and each synapse changes
 * on its own, so this equals the walk over all synapses, in a fraction of
 * the time.
 */
static void
stdp_fired(const det_layout *L, void *state, const uint8_t *newspk,
		   const uint16_t *fl, int n_fired, float eta, float wmax)
{
	const uint16_t *ridx = CSEC(state, *L, off_ridx, uint16_t);
	const uint32_t *rptr = CSEC(state, *L, off_rptr, uint32_t);
	const uint32_t *rslot = CSEC(state, *L, off_rslot, uint32_t);
	const uint16_t *rpost = CSEC(state, *L, off_rpost, uint16_t);
	const float *tr = CSEC(state, *L, off_tr, float);
	float	   *rw = SEC(state, *L, off_rw, float);
	float		dep = 1.05f * eta;

	for (int f = 0; f < n_fired; f++)
	{
		int			i = fl[f];
		const uint16_t *ri = ridx + (size_t) i * L->k;
		float	   *wi = rw + (size_t) i * L->k;

		for (int j = 0; j < L->k; j++)
		{
			int			p = ri[j];
			float		dw = 0.0f;

			dw += eta * tr[p];	/* pre before post: potentiate */
			/* post before pre: depress (b * 0 = +0 takes nothing off) */
			dw -= dep * tr[i] * (float) newspk[p];
			stdp_apply(&wi[j], dw, wmax, 0);
		}
	}
	for (int f = 0; f < n_fired; f++)
	{
		int			p = fl[f];

		for (uint32_t at = rptr[p]; at < rptr[p + 1]; at++)
		{
			int			i = rpost[at];
			float		dw = 0.0f;

			dw -= dep * tr[i];	/* post before pre: depress */
			/* a synapse onto a firing neuron was done above */
			stdp_apply(&rw[rslot[at]], dw, wmax, newspk[i]);
		}
	}
}

/*
 * out[i] = sum over j < k of w[i k + j] * src[idx[i k + j]] for n rows: the
 * input and the recurrent currents.  Eight rows at a time: each sum adds its
 * terms in the same order as one row at a time would, but eight independent
 * sums do not wait on each other's additions.
 */
static void
sparse_sums(const uint16_t *idx, const float *w, const float *src, int n,
			int k, float *out)
{
	int			i = 0;

	for (; i + 8 <= n; i += 8)
	{
		float		s[8] = {0};

		for (int j = 0; j < k; j++)
			for (int r = 0; r < 8; r++)
			{
				size_t		o = (size_t) (i + r) * k + j;

				s[r] += w[o] * src[idx[o]];
			}
		for (int r = 0; r < 8; r++)
			out[i + r] = s[r];
	}
	for (; i < n; i++)
	{
		float		s = 0.0f;

		for (int j = 0; j < k; j++)
			s += w[(size_t) i * k + j] * src[idx[(size_t) i * k + j]];
		out[i] = s;
	}
}

/* Simulate the reservoir for one event; returns the number of spikes. */
int
det_run_reservoir(const snn_detector_config *cfg, const det_layout *L, void *state,
			  const float *u, int learn)
{
	float	   *v = SEC(state, *L, off_v, float);
	float	   *a = SEC(state, *L, off_a, float);
	float	   *tr = SEC(state, *L, off_tr, float);
	uint8_t    *spk = SEC(state, *L, off_spk, uint8_t);
	uint8_t    *cnt = SEC(state, *L, off_cnt, uint8_t);
	const uint16_t *ridx = SEC(state, *L, off_ridx, uint16_t);
	float	   *rw = SEC(state, *L, off_rw, float);
	const uint16_t *iidx = SEC(state, *L, off_iidx, uint16_t);
	const float *iw = SEC(state, *L, off_iw, float);
	float		dm = (float) exp(-1.0 / cfg->res_tau_m);
	float		da = (float) exp(-1.0 / cfg->res_tau_adapt);
	float		dt = (float) exp(-1.0 / cfg->res_tau_trace);
	float		thr = (float) cfg->res_threshold;
	float		adapt = cfg->res_model == SNN_NEURON_ALIF ? (float) cfg->res_adapt : 0.0f;
	float		eta = (float) cfg->learn_stdp_rate;
	int			stdp = learn && cfg->learn_stdp && eta > 0;
	float		wmax = 2.0f * thr;
	uint8_t		newspk[SNN_DETECTOR_MAX_NEURONS];
	uint16_t	fl[SNN_DETECTOR_MAX_NEURONS];
	float		iin[SNN_DETECTOR_MAX_NEURONS],
				rec[SNN_DETECTOR_MAX_NEURONS],
				spkf[SNN_DETECTOR_MAX_NEURONS];
	int			total = 0,
				prev = 0;

	sparse_sums(iidx, iw, u, L->n, L->kin, iin);
	for (int i = 0; i < L->n; i++)
	{
		/* mean input over the fan-in; 4 x threshold saturates a neuron */
		iin[i] = iin[i] / L->kin * 4.0f;
		cnt[i] = 0;
		if (cfg->res_reset)
			v[i] = 0.0f;		/* each event starts from rest: no phase jitter */
		spkf[i] = spk[i];		/* the spikes as weights' factors, 0 or 1 */
		prev += spk[i];
	}
	for (int step = 0; step < cfg->res_substeps; step++)
	{
		int			fired = 0;

		/*
		 * Spikes are sparse: with none in the last substep every recurrent
		 * sum is +0, and adding +0 changes no membrane (it is never -0).
		 */
		if (prev > 0)
			sparse_sums(ridx, rw, spkf, L->n, L->k, rec);
		for (int i = 0; i < L->n; i++)
		{
			v[i] = v[i] * dm + iin[i] + (prev > 0 ? rec[i] : 0.0f);
			newspk[i] = v[i] >= thr + a[i];
			if (newspk[i])
			{
				v[i] = 0.0f;
				a[i] += adapt;
				fl[fired++] = (uint16_t) i;
				if (cnt[i] < 255)
					cnt[i]++;
			}
			a[i] *= da;
		}
		total += fired;
		prev = fired;
		/* pair-based STDP with traces, sign kept (Dale), magnitude bounded */
		if (stdp && fired > 0)
			stdp_fired(L, state, newspk, fl, fired, eta, wmax);
		for (int i = 0; i < L->n; i++)
		{
			tr[i] = tr[i] * dt + newspk[i];
			spk[i] = newspk[i];
			spkf[i] = newspk[i];
		}
	}
	return total;
}
