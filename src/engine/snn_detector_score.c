/*
 * snn_detector_score.c: from raw signals to a score: kNN spike-pattern
 * novelty, conformal or Gaussian likelihoods, the ensemble's correction and
 * the alarm stage.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"
#include "snn_distance.h"

/* Upper-tail likelihood 1 - Q(z) of a standard normal. */
static double
normal_cdf(double z)
{
	return 0.5 * erfc(-z / sqrt(2.0));
}

/*
 * Insert distance d into the nb (of at most k) smallest, kept sorted;
 * returns the new count.  Less than one quantisation step a neuron (n) is no
 * difference.
 */
static inline int
knn_insert(uint64_t *best, int nb, int k, uint64_t d, int n)
{
	int			pos;

	d = d > (uint64_t) n ? d - n : 0;
	if (nb < k)
		nb++;
	else if (d >= best[k - 1])
		return nb;
	pos = nb - 1;
	while (pos > 0 && best[pos - 1] > d)
	{
		best[pos] = best[pos - 1];
		pos--;
	}
	best[pos] = d;
	return nb;
}

/*
 * Keep this event's spike pattern (the newest of the recent memory) in the
 * surprise memory: a ring of the patterns of events whose novelty was
 * surprising.  The recent memory forgets a pattern after score_memory
 * events; a kind of burst that recurs every few days is then new each time
 * it comes back.  The surprise memory remembers it, as an ART category
 * does, so the second and later occurrences count as seen before, while a
 * kind of pattern never seen is still far from everything.  Patterns kept
 * within the gap are skipped like those of the recent memory, so a
 * sustained anomaly does not vouch for itself.
 */
void
det_keep_surprise(const det_layout *L, void *state, det_head *h)
{
	const uint8_t *mem = CSEC(state, *L, off_mem, uint8_t);
	uint8_t    *smem = SEC(state, *L, off_smem, uint8_t);
	int64_t    *sevent = SEC(state, *L, off_sevent, int64_t);
	int			last = (h->mem_pos - 1 + L->nm) % L->nm;

	memcpy(smem + (size_t) h->smem_pos * L->n, mem + (size_t) last * L->n, L->n);
	sevent[h->smem_pos] = h->events;
	h->smem_pos = (h->smem_pos + 1) % L->nsm;
	if (h->smem_count < L->nsm)
		h->smem_count++;
}

/*
 * Spike-pattern novelty: the mean L1 distance of this event's spike pattern
 * (the reservoir's traces quantised to bytes) to its k nearest neighbours
 * among the patterns of past events, leaving out the most recent ones (they
 * share this event's history), per neuron and scaled to [0, 1].  The
 * reservoir's fading memory makes the pattern an embedding of the recent
 * stretch of the stream, so this is a k-nearest-neighbour novelty of the
 * recent shape, computed with the byte distance kernels of the index.
 */
double
det_pattern_novelty(const snn_detector_config *cfg, const det_layout *L,
					void *state, det_head *h, int learn)
{
	const float *tr = CSEC(state, *L, off_tr, float);
	uint8_t    *mem = SEC(state, *L, off_mem, uint8_t);
	const uint8_t *smem = CSEC(state, *L, off_smem, uint8_t);
	const int64_t *sevent = CSEC(state, *L, off_sevent, int64_t);
	uint8_t		pat[SNN_DETECTOR_MAX_NEURONS];
	uint64_t	best[16];
	int			k = cfg->score_knn,
				nb = 0,
				searched,
				j;
	double		sum = 0.0;

	if (L->nm == 0)
		return 0.0;
	for (int i = 0; i < L->n; i++)
	{
		/* 1/32 resolution: traces up to ~8 fit in a byte */
		float		q = tr[i] * 32.0f + 0.5f;

		/* a damaged state's NaN or negative trace must not reach the cast */
		pat[i] = q >= 255.0f ? 255 : q > 0.0f ? (uint8_t) q : 0;
	}

	/*
	 * The patterns older than the gap, oldest first: one circular run of
	 * mem_count - gap slots starting at the oldest.  The sum of the k
	 * smallest distances does not depend on the order of the scan.
	 */
	searched = h->mem_count - cfg->score_memory_gap;
	j = (h->mem_pos - h->mem_count + L->nm) % L->nm;
	for (int c = 0; c < searched; c++, j = j + 1 == L->nm ? 0 : j + 1)
		nb = knn_insert(best, nb, k, snn_l1_u8(pat, mem + (size_t) j * L->n, L->n), L->n);
	/* the surprises kept apart, except those inside the gap */
	for (int c = 0; c < h->smem_count; c++)
		if (sevent[c] <= h->events - cfg->score_memory_gap)
			nb = knn_insert(best, nb, k, snn_l1_u8(pat, smem + (size_t) c * L->n, L->n), L->n);
	for (int j = 0; j < nb; j++)
		sum += (double) best[j];
	if (learn)
	{
		memcpy(mem + (size_t) h->mem_pos * L->n, pat, L->n);
		h->mem_pos = (h->mem_pos + 1) % L->nm;
		if (h->mem_count < L->nm)
			h->mem_count++;
	}
	if (nb == 0)
		return 0.0;
	sum /= (double) nb * L->n * 64.0;
	return sum > 1.0 ? 1.0 : sum;
}

/*
 * Conformal likelihood of signal k: the p-value of this raw value among the
 * last score_calibration values of the signal (the share at least as large),
 * combined over the short window by Fisher's method (-2 sum ln p follows a
 * chi-square law with 2w degrees of freedom when nothing is anomalous).  No
 * assumption on the shape of the signal's distribution, so one threshold fits
 * streams of very different noise.
 */
static double
conformal_likelihood(const snn_detector_config *cfg, const det_layout *L,
					 void *state, det_head *h, int k, double raw, int learn)
{
	double	   *ring = SEC(state, *L, off_short, double) + (size_t) k * L->ns;
	float	   *cal = SEC(state, *L, off_calib, float) + (size_t) k * L->nc;
	int			ge = 0,
				w;
	double		p,
				nlp,
				x,
				lo = raw * (1.0 - cfg->score_tie);

	/*
	 * Past values within score_tie of this one (relative), or within
	 * score_tie_spread standard deviations of the signal, count as ties: a
	 * difference inside the signal's own noise is no evidence.  The spread is
	 * the signal's exponentially weighted variance over about
	 * score_calibration events, kept in lmean / lvar (which the Gaussian mode
	 * uses for the short mean instead), updated after its use.
	 */
	if (cfg->score_tie_spread > 0)
	{
		double		d = raw - h->lmean[k],
					alpha = 1.0 / (h->lcount[k] + 1.0 < L->nc ? h->lcount[k] + 1.0 : L->nc),
					spread_lo = raw - cfg->score_tie_spread * sqrt(h->lvar[k]);

		if (spread_lo < lo)
			lo = spread_lo;
		if (learn)
		{
			h->lmean[k] += alpha * d;
			h->lvar[k] = (1.0 - alpha) * (h->lvar[k] + alpha * d * d);
			h->lcount[k] += 1.0;
		}
	}
	ge = det_count_at_least(cal, h->calib_count, (float) lo);
	p = (ge + 1.0) / (h->calib_count + 1.0);
	nlp = -log(p);
	h->short_sum[k] += nlp - ring[h->short_pos];
	ring[h->short_pos] = nlp;
	if (learn)
		cal[h->calib_pos] = (float) raw;	/* caller advances calib_pos */
	w = h->short_count < L->ns ? h->short_count + 1 : L->ns;
	x = h->short_sum[k] > 0 ? h->short_sum[k] : 0.0;	/* = X / 2 */
	return det_fisher_tail(x, w);
}

/*
 * Fisher's combination of w p-values given x = -sum ln p (= X / 2), as a
 * likelihood: one minus the upper tail of chi-square(2w) at 2x, which is
 * e^-x sum_{i<w} x^i / i!.
 */
double
det_fisher_tail(double x, int w)
{
	double		term = 1.0,
				sum = 1.0;

	for (int i = 1; i < w; i++)
	{
		term *= x / i;
		sum += term;
	}
	return 1.0 - exp(-x + log(sum));
}

/* Anomaly likelihood of signal k: short mean against long-run statistics. */
double
det_signal_likelihood(const snn_detector_config *cfg, const det_layout *L,
					  void *state, det_head *h, int k, double raw, int learn)
{
	double	   *ring = SEC(state, *L, off_short, double) + (size_t) k * L->ns;
	double		m,
				sd,
				lik,
				alpha;

	if (cfg->score_calibration > 0)
		return conformal_likelihood(cfg, L, state, h, k, raw, learn);
	/* the ring position is advanced by the caller once for all signals */
	h->short_sum[k] += raw - ring[h->short_pos];
	ring[h->short_pos] = raw;
	m = h->short_sum[k] / (h->short_count < L->ns ? h->short_count + 1 : L->ns);
	/* surprise signals are skewed: their logarithm is closer to normal */
	if (cfg->score_log > 0)
		m = log(m + cfg->score_log);
	sd = sqrt(h->lvar[k]);
	if (sd < cfg->score_min_std)
		sd = cfg->score_min_std;
	lik = h->lcount[k] > 0 ? normal_cdf((m - h->lmean[k]) / sd) : 0.5;
	if (learn)
	{
		double		d = m - h->lmean[k];

		alpha = 1.0 / (h->lcount[k] + 1.0 < cfg->score_long_tau ?
					   h->lcount[k] + 1.0 : cfg->score_long_tau);
		h->lmean[k] += alpha * d;
		h->lvar[k] = (1.0 - alpha) * (h->lvar[k] + alpha * d * d);
		h->lcount[k] += 1.0;
	}
	return lik;
}

/*
 * The ensemble's likelihood: the largest of its members', corrected for
 * having looked K times (Sidak: the chance that none of K independent
 * members is this surprised is lik^K), so that the score's scale, and the
 * threshold, mean the same for any K.  Sets *winner to that member.
 */
double
det_ensemble_likelihood(const member_out *mo, int k, int *winner)
{
	double		best = mo[0].lik;

	*winner = 0;
	for (int m = 1; m < k; m++)
		if (mo[m].lik > best)
		{
			best = mo[m].lik;
			*winner = m;
		}
	return k == 1 ? best : pow(best, k);
}

/*
 * The range rule's likelihood after seen values made the range.  Of n + 1
 * exchangeable values, the newest is the largest or the smallest with
 * chance 2 / (n + 1): that is the p-value of "beyond everything seen", as
 * 1 / (n + 1) is the smallest a conformal p-value can be.  The conformal
 * stage is at its most certain when its whole short window holds such
 * p-values; a new extreme counts as that much evidence, Fisher's
 * combination of w p-values of 2 / (n + 1), so after five values it is
 * weak and after a few hundred it is past any threshold, as before.
 * score_range_history 0 keeps the old rule: certain at once.
 */
double
det_range_likelihood(const snn_detector_config *cfg, double seen)
{
	double		n1 = seen + 1.0;
	int			w = seen < cfg->score_short ? (int) seen + 1 : cfg->score_short;

	if (!cfg->score_range_history)
		return 1.0;
	if (n1 <= 2.0)
		return 0.0;				/* one value seen: every next one is new */
	return det_fisher_tail(w * log(n1 / 2.0), w);
}

/*
 * The alarm stage, on member 0's head: the likelihood's log scale, the
 * warmup, the adaptive alarm level and the relative refractory period.
 * Returns the score; *alarm is 1 when it raised an alarm.
 */
double
det_alarm_stage(const snn_detector_config *cfg, det_head *h, double lik, int *alarm)
{
	double		score = log(1.0000000001 - lik) / log(1.0 - 0.9999999999);

	*alarm = 0;
	if (score < 0)
		score = 0;
	if (score > 1)
		score = 1;
	if (h->events <= snn_detector_warmup(cfg))
		score = 0.0;

	/*
	 * The alarm stage is an adaptive-threshold neuron: every alarm raises its
	 * threshold, which decays back; a stream that keeps alarming needs ever
	 * stronger evidence, so noisy streams stop flooding.
	 */
	if (cfg->score_alarm_adapt > 0)
	{
		score -= h->alarm_adapt;
		if (score < 0)
			score = 0;
		h->alarm_adapt *= exp(-1.0 / cfg->score_alarm_tau);
	}
	if (h->refractory_left > 0)
	{
		/* relative refractory period: sensitivity recovers linearly */
		score *= 1.0 - (double) h->refractory_left / (cfg->score_refractory + 1);
		h->refractory_left--;
	}
	/* a score over the threshold even so fires again and restarts the period */
	if (score >= cfg->score_threshold && cfg->score_threshold > 0)
	{
		*alarm = 1;
		h->refractory_left = cfg->score_refractory;
		h->alarm_adapt += cfg->score_alarm_adapt;
	}
	return score;
}
