/*
 * snn_detector_step.c: one event through the detector: the floating-point
 * mode, feature checks, each member's step and the ensemble's score.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"

/*
 * Flush denormals to zero while a step runs, and put the caller's mode back
 * after: the far receptive fields, decaying traces and the NLMS update make
 * subnormal floats that cost the x86 FPU a hundred cycles each (measured:
 * 42% of the step), and nothing the detector computes needs them.  Scores are
 * then the same with and without PostgreSQL around the engine (the offline
 * driver and the trigger call the same function).  Elsewhere a no-op.
 */
static unsigned int
det_fp_enter(void)
{
#ifdef DET_HAVE_MXCSR
	unsigned int saved = _mm_getcsr();

	_mm_setcsr(saved | 0x8040); /* FTZ (bit 15) and DAZ (bit 6) */
	return saved;
#else
	return 0;
#endif
}

/* Restore the floating-point mode saved by det_fp_enter(). */
static void
det_fp_leave(unsigned int saved)
{
#ifdef DET_HAVE_MXCSR
	_mm_setcsr(saved);
#else
	(void) saved;
#endif
}

snn_status
snn_detector_check_features(const snn_detector_config *cfg,
							const double *features, int n, snn_error *err)
{
	if (features == NULL || n != cfg->n_features)
		return snn_fail(err, SNN_E_DIM, "features",
						"detector expects %d features, got %d", cfg->n_features,
						features == NULL ? 0 : n);
	for (int f = 0; f < n; f++)
	{
		if (!isfinite(features[f]))
			return snn_fail(err, SNN_E_NAN, "features",
							"feature %d is not a finite number", f + 1);
		/* the running variances square the values */
		if (fabs(features[f]) > SNN_DETECTOR_MAX_ABS)
			return snn_fail(err, SNN_E_RANGE, "features",
							"feature %d is %g, beyond the detector's range of +-%g",
							f + 1, features[f], SNN_DETECTOR_MAX_ABS);
	}
	return SNN_OK;
}

/*
 * One member's step from the event's code u: the error of its previous
 * prediction, its reservoir, its novelty, the readout update and the
 * likelihoods of its signals.
 */
static void
member_step(const snn_detector_config *cfg, const det_layout *L, void *state,
			const float *u, int learn, member_out *o)
{
	det_head   *h = (det_head *) state;
	float	   *W = SEC(state, *L, off_w, float),
			   *x = SEC(state, *L, off_x, float),
			   *yhat = SEC(state, *L, off_yhat, float);
	double		fe[SNN_DETECTOR_MAX_FEATURES],
				dv[64],
				dn[64];
	double		num = 0.0,
				den = 1e-9,
				xx = 1e-9,
				l0 = 0.0,
				l1 = 0.0;
	float		e[SNN_DETECTOR_MAX_FEATURES * SNN_DETECTOR_MAX_FIELDS * 2],
				xn[SNN_DETECTOR_MAX_NEURONS + SNN_DETECTOR_MAX_FEATURES *
				   SNN_DETECTOR_MAX_FIELDS * 2 + SNN_DETECTOR_MAX_FIELDS + 7 + 1];
	int			update = 0;

	o->contrib = 0;
	o->nov = 0.0;
	/* prediction error of the code predicted at the previous event */
	memset(fe, 0, sizeof(double) * L->nf);
	if (h->events > 0)
	{
		int			per_f = L->nval / L->nf;

		for (int f = 0; f < L->nf; f++)
			for (int c = 0; c < per_f; c += 64)
			{
				int			i0 = f * per_f + c,
							nc = per_f - c < 64 ? per_f - c : 64;

				det_code_errors(cfg->score_coverage, u + i0, yhat + i0, nc, dv, dn);
				for (int i = 0; i < nc; i++)
				{
					num += dv[i];
					den += dn[i];
					fe[f] += dv[i];
				}
			}
		for (int f = 1; f < L->nf; f++)
			if (fe[f] > fe[o->contrib])
				o->contrib = f;
		/* NLMS: the previous prediction moves towards what happened */
		if (learn)
		{
			float		mu;

			if (h->x_norm > 0)
				xx = h->x_norm; /* summed by the last readout pass */
			else
				for (int j = 0; j < L->nx; j++)
					xx += (double) x[j] * x[j];
			mu = (float) (cfg->learn_readout_rate / xx);
			for (int i = 0; i < L->nval; i++)
				e[i] = (u[i] - yhat[i]) * mu;
			update = 1;
		}
	}
	o->perr = num / den;
	if (o->perr > 1.0)
		o->perr = 1.0;

	o->spikes = det_run_reservoir(cfg, L, state, u, learn);
	/* the kNN search is most of a small detector's step: only when used */
	if (cfg->score_signals & 2)
		o->nov = det_pattern_novelty(cfg, L, state, h, learn);

	/* apply the update and predict the next event's value code */
	det_readout_features(L, state, u, xn);
	h->x_norm = det_readout_pass(W, e, x, xn, L->nval, L->nx, update, yhat);
	memcpy(x, xn, sizeof(float) * L->nx);

	/* likelihoods of both signals, over a shared short window */
	if (cfg->score_signals & 1)
		l0 = det_signal_likelihood(cfg, L, state, h, 0, o->perr, 1);
	if (cfg->score_signals & 2)
		l1 = det_signal_likelihood(cfg, L, state, h, 1, o->nov, 1);
	if (L->nsm > 0 && learn && l1 >= cfg->score_surprise_at)
		det_keep_surprise(L, state, h);
	o->lik = l0 > l1 ? l0 : l1;
	o->cause = (cfg->score_signals & 1) && l0 >= l1 ?
		SNN_CAUSE_PREDICTION : SNN_CAUSE_NOVELTY;
	h->short_pos = (h->short_pos + 1) % L->ns;
	if (L->nc > 0)
	{
		h->calib_pos = (h->calib_pos + 1) % L->nc;
		if (h->calib_count < L->nc)
			h->calib_count++;
	}
	if (h->short_count < L->ns)
		h->short_count++;
	h->last_spikes = o->spikes;
	h->events++;
}

snn_status
snn_detector_step(const snn_detector_config *cfg, void *state,
				  const double *features, int n, int64_t timestamp_us,
				  double *score_out, snn_detector_detail *detail,
				  snn_error *err)
{
	det_layout	L;
	det_head   *h = (det_head *) state;
	float		u[SNN_DETECTOR_MAX_FEATURES * SNN_DETECTOR_MAX_FIELDS * 2 +
				  SNN_DETECTOR_MAX_FIELDS + 7];
	member_out	mo[SNN_DETECTOR_MAX_ENSEMBLE];
	snn_status	st;
	double		lik,
				score,
				outside = 0.0;
	unsigned int fp_mode;
	int			learn = cfg->learn_online,
				alarm,
				w,
				cause,
				contrib,
				outside_f = 0;

	if ((st = snn_detector_check_features(cfg, features, n, err)) != SNN_OK)
		return st;
	if (state == NULL || h->magic != DET_MAGIC)
		return snn_fail(err, SNN_E_FORMAT, "state", "detector state is not initialised");
	det_layout_of(cfg, &L);
	if (h->size != L.total)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state does not match its configuration");
	/* from here on nothing fails: the state is only changed below */
	fp_mode = det_fp_enter();
	if (det_readout_pass == NULL)
		det_choose_readout();

	/* one code for every member: the normaliser lives in member 0 */
	det_encode_event(cfg, &L, SEC(state, L, off_norm, double), features,
					 timestamp_us, learn, u, &outside, &outside_f);
	member_step(cfg, &L, state, u, learn, &mo[0]);
	for (int m = 1; m < L.nens; m++)
		member_step(cfg, &L, MEMBER(state, L, m), u, learn, &mo[m]);
	lik = det_ensemble_likelihood(mo, L.nens, &w);
	cause = mo[w].cause;
	contrib = mo[w].contrib;
	/* a change of level or rhythm inside the seen range: the same max rule */
	if (cfg->score_level > 0)
	{
		double		ll = det_level_likelihood(cfg, &L, state, features,
											  mo[0].perr, learn);

		if (ll > lik)
		{
			lik = ll;
			cause = SNN_CAUSE_LEVEL;
		}
	}
	/* a value beyond everything seen: as surprising as the history allows */
	if (cfg->score_range_tolerance > 0 && outside > cfg->score_range_tolerance)
	{
		/* values that made the range: this one counted already if learnt */
		double		seen = SEC(state, L, off_norm, double)[7 * outside_f + 4] - (learn ? 1 : 0);
		double		rl = det_range_likelihood(cfg, seen);

		if (rl >= lik)
		{
			lik = rl;
			cause = SNN_CAUSE_RANGE;
			contrib = outside_f;
		}
	}
	score = det_alarm_stage(cfg, h, lik, &alarm);
	h->winner = w;
	h->last_ts = timestamp_us;
	h->last_score = score;
	*score_out = score;
	if (detail)
	{
		detail->score = score;
		detail->likelihood = lik;
		detail->prediction_error = mo[w].perr;
		detail->novelty = mo[w].nov;
		detail->alarm = alarm;
		detail->contributing_feature = contrib;
		detail->cause = cause;
		detail->n_spikes = mo[w].spikes;
		detail->events = h->events;
	}
	det_fp_leave(fp_mode);
	return SNN_OK;
}

int
snn_detector_last_spikes(const snn_detector_config *cfg, const void *state,
						 uint8_t *out, int n)
{
	det_layout	L;

	det_layout_of(cfg, &L);
	if (n <= 0 || out == NULL)
		return 0;
	if (n > L.n)
		n = L.n;
	/* the member whose likelihood made the last score */
	memcpy(out, CSEC(CMEMBER(state, L, ((const det_head *) state)->winner), L,
					 off_cnt, uint8_t), n);
	return n;
}
