/*
 * snn_detector_level.c: the level-change signal (score_level > 0): a change
 * of level or rhythm that stays inside the range seen so far.
 *
 * For each feature's value and for member 0's prediction error, the mean of
 * the last score_level events is compared with the mean and variance of the
 * score_level_long events before them (exponentially weighted, fed by the
 * values leaving the short window, so the two windows do not overlap); the
 * standardised difference (a two-window change statistic, |z| for a value,
 * its positive part for the error: only a rise of the error is evidence) is
 * taken over the channels by its largest, turned into a conformal p-value
 * among its own last score_calibration values and combined by Fisher's
 * method, like the other signals, but over the p-values of score_short
 * disjoint windows (this one and every score_level-th before it), since
 * overlapping windows' p-values are far from independent.  The step takes the
 * larger of this likelihood and the ensemble's.
 *
 * The signal's state is one section after the members (member 0 only): a
 * small head, then per channel the short ring and the long statistics, the
 * calibration ring of the statistic and the ring of -ln p (score_short *
 * score_level of them).  It exists only
 * when the signal is on, so the layout, and every state saved without it,
 * are unchanged when it is off.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"

/* Bytes of the section for layout L (0 when the signal is off). */
size_t
det_level_bytes(const snn_detector_config *c, const det_layout *L)
{
	size_t		nch = (size_t) L->nf + 1;

	if (c->score_level <= 0)
		return 0;
	return align64(sizeof(det_level_head)) +
		align64(sizeof(double) * nch * c->score_level) +
		align64(sizeof(double) * nch * 3) +
		align64(sizeof(float) * L->nc) +
		align64(sizeof(double) * L->ns * c->score_level);
}

/* The parts of the section, from its start. */
static void
level_parts(const snn_detector_config *c, const det_layout *L, void *state,
			det_level_head **hd, double **ring, double **stat, float **cal,
			double **fis)
{
	char	   *p = (char *) state + L->off_level;
	size_t		nch = (size_t) L->nf + 1;

	*hd = (det_level_head *) p;
	p += align64(sizeof(det_level_head));
	*ring = (double *) p;
	p += align64(sizeof(double) * nch * c->score_level);
	*stat = (double *) p;
	p += align64(sizeof(double) * nch * 3);
	*cal = (float *) p;
	p += align64(sizeof(float) * L->nc);
	*fis = (double *) p;
}

/*
 * Push value v into channel ch's short ring; the value it evicts feeds the
 * channel's long statistics.  Returns the standardised difference of the
 * short mean from the long mean, or 0 while either window is not full.
 */
static double
level_channel(const snn_detector_config *c, det_level_head *hd, double *ring,
			  double *st, double v)
{
	int			ws = c->score_level;
	double		sum = 0.0,
				d,
				alpha,
				den;

	if (hd->short_count == ws)
	{
		double		old = ring[hd->short_pos];
		int			wl = c->score_level_long > 0 ? c->score_level_long : 32 * ws;

		alpha = 1.0 / (st[2] + 1.0 < wl ? st[2] + 1.0 : wl);
		d = old - st[0];
		st[0] += alpha * d;
		st[1] = (1.0 - alpha) * (st[1] + alpha * d * d);
		st[2] += 1.0;
	}
	ring[hd->short_pos] = v;
	/* recomputed, not carried: no drift of a running sum */
	for (int i = 0; i < (hd->short_count < ws ? hd->short_count + 1 : ws); i++)
		sum += ring[i];
	if (hd->short_count < ws || st[2] < ws)
		return 0.0;
	/* a constant history still has a (tiny) spread: a shift from it is huge */
	den = sqrt(st[1] / ws) + 1e-9 * (1.0 + fabs(st[0]));
	return (sum / ws - st[0]) / den;
}

/*
 * The likelihood of the level-change signal for this event: features are
 * the event's values, perr member 0's prediction error.  The windows always
 * move (they describe the stream, as the short window of the other signals
 * does); the statistic's own history grows only when learn is set.
 */
double
det_level_likelihood(const snn_detector_config *c, const det_layout *L,
					 void *state, const double *features, double perr, int learn)
{
	det_level_head *hd;
	double	   *ring,
			   *stat,
			   *fis,
				z,
				zmax = 0.0,
				p,
				nlp;
	float	   *cal;
	int			nch = L->nf + 1,
				ws = c->score_level,
				nfis = L->ns * c->score_level,
				ge,
				w;

	level_parts(c, L, state, &hd, &ring, &stat, &cal, &fis);
	for (int ch = 0; ch < nch; ch++)
	{
		z = level_channel(c, hd, ring + (size_t) ch * ws, stat + (size_t) ch * 3,
						  ch < L->nf ? features[ch] : perr);
		if (ch == L->nf)
			z = z > 0 ? z : 0.0;	/* only a rising error is evidence */
		else
			z = fabs(z);
		if (z > zmax)
			zmax = z;
	}
	hd->short_pos = (hd->short_pos + 1) % ws;
	if (hd->short_count < ws)
		hd->short_count++;
	if (zmax <= 0.0 && hd->calib_count == 0)
		return 0.0;				/* not yet a statistic to calibrate */
	ge = det_count_at_least(cal, hd->calib_count, (float) (zmax * (1.0 - c->score_tie)));
	p = (ge + 1.0) / (hd->calib_count + 1.0);
	nlp = -log(p);

	/*
	 * Fisher's method needs independent p-values: consecutive statistics
	 * share all but one value of their short windows, so only those of
	 * disjoint windows (every score_level-th, back from this one) are
	 * combined, at most score_short of them.
	 */
	fis[hd->fis_pos] = nlp;
	if (hd->fis_count < nfis)
		hd->fis_count++;
	hd->fisher_sum = 0.0;
	w = 0;
	for (int j = 0; j < L->ns && j * ws < hd->fis_count; j++, w++)
		hd->fisher_sum += fis[(hd->fis_pos - j * ws + nfis) % nfis];
	hd->fis_pos = (hd->fis_pos + 1) % nfis;
	if (learn)
	{
		cal[hd->calib_pos] = (float) zmax;
		hd->calib_pos = (hd->calib_pos + 1) % L->nc;
		if (hd->calib_count < L->nc)
			hd->calib_count++;
	}
	return det_fisher_tail(hd->fisher_sum > 0 ? hd->fisher_sum : 0.0, w);
}

/* The section's ring positions and numbers are usable (a restored state). */
int
det_level_state_ok(const snn_detector_config *c, const det_layout *L,
				   const void *state)
{
	det_level_head *hd;
	double	   *ring,
			   *stat,
			   *fis;
	float	   *cal;
	size_t		nch = (size_t) L->nf + 1;

	if (c->score_level <= 0)
		return 1;
	/* only read here (the cast drops const for the shared helper) */
	level_parts(c, L, (void *) state, &hd, &ring, &stat, &cal, &fis);
	if (hd->short_count < 0 || hd->short_count > c->score_level ||
		hd->short_pos < 0 || hd->short_pos >= c->score_level ||
		hd->calib_count < 0 || hd->calib_count > L->nc ||
		hd->calib_pos < 0 || hd->calib_pos >= L->nc ||
		hd->fis_count < 0 || hd->fis_count > L->ns * c->score_level ||
		hd->fis_pos < 0 || hd->fis_pos >= L->ns * c->score_level ||
		!isfinite(hd->fisher_sum))
		return 0;
	for (size_t i = 0; i < nch * c->score_level; i++)
		if (!isfinite(ring[i]))
			return 0;
	for (size_t i = 0; i < nch * 3; i++)
		if (!isfinite(stat[i]) || (i % 3 != 0 && stat[i] < 0))
			return 0;			/* a variance or a count below 0 */
	for (int i = 0; i < L->nc; i++)
		if (!isfinite(cal[i]))
			return 0;
	for (int i = 0; i < L->ns * c->score_level; i++)
		if (!isfinite(fis[i]))
			return 0;
	return 1;
}
