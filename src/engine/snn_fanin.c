/*
 * snn_fanin.c: the fixed fan-in recurrent block (snn_fanin.h): random
 * wiring, gather sums, the output index, the section layout shared by
 * images of kind fanin and the detector's state, its check for blocks from
 * outside, and a run of adaptive LIF substeps with online STDP.
 */
#include "snn_fanin.h"
#include "snn_learn.h"
#include "snn_random.h"

#include <math.h>
#include <string.h>

void
snn_fanin_sums(const uint16_t *idx, const float *w, const float *src, int n,
			   int k, float *out)
{
	int			i = 0;

	/*
	 * Eight rows at a time: each sum adds its terms in the same order as one
	 * row at a time would, but eight independent sums do not wait on each
	 * other's additions.
	 */
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

/* Pick k distinct integers of [0, n), other than exclude when k < n. */
static void
pick_distinct(uint64_t *rng, int n, int k, int exclude, uint16_t *out)
{
	int			got = 0;

	/* rejection sampling: k is small against n in practice */
	while (got < k)
	{
		int			c = (int) (snn_splitmix64_unit(rng) * n);
		int			dup = (c == exclude && k < n);

		for (int j = 0; j < got && !dup; j++)
			dup = (out[j] == c);
		if (!dup)
			out[got++] = (uint16_t) c;
	}
}

void
snn_fanin_wire_dale(uint32_t n, uint32_t k, double exc_ratio, double radius,
					double unit, uint64_t *rng, uint16_t *pre, float *w)
{
	int			nn = (int) n,
				kk = (int) k,
				n_exc = (int) lround(exc_ratio * nn);
	double		sumsq = 0.0,
				scale;

	for (int i = 0; i < nn; i++)
	{
		pick_distinct(rng, nn, kk, i, pre + (size_t) i * kk);
		for (int j = 0; j < kk; j++)
		{
			int			src = pre[(size_t) i * kk + j];
			double		x = snn_splitmix64_unit(rng);

			/* inhibitory weights scaled so that each row sums to ~0 */
			if (src >= n_exc)
				x = -x * (n_exc > 0 && n_exc < nn ?
						  (double) n_exc / (nn - n_exc) : 1.0);
			w[(size_t) i * kk + j] = (float) x;
			sumsq += x * x;
		}
	}

	/*
	 * Circular law: a sparse random matrix with zero-mean entries has its
	 * eigenvalues in a disc of radius sqrt(mean row sum of squares).
	 */
	scale = sumsq > 0 ? radius / sqrt(sumsq / nn) : 0.0;
	for (size_t j = 0; j < (size_t) nn * kk; j++)
		w[j] = (float) (w[j] * scale * unit);
}

void
snn_fanin_wire_input(uint32_t n, uint32_t k, uint32_t n_src, double gain,
					 double unit, uint64_t *rng, uint16_t *idx, float *w)
{
	for (int i = 0; i < (int) n; i++)
	{
		pick_distinct(rng, (int) n_src, (int) k, -1, idx + (size_t) i * k);
		for (int j = 0; j < (int) k; j++)
		{
			double		x = 0.5 + snn_splitmix64_unit(rng);

			if (snn_splitmix64_unit(rng) < 0.3)
				x = -x;
			w[(size_t) i * k + j] = (float) (x * gain * unit);
		}
	}
}

void
snn_fanin_index_outputs(uint32_t n, uint32_t k, const uint16_t *pre,
						uint32_t *out_ptr, uint32_t *out_slot, uint16_t *out_post)
{
	size_t		nk = (size_t) n * k;

	memset(out_ptr, 0, sizeof(uint32_t) * (n + 1));
	for (size_t s = 0; s < nk; s++)
		out_ptr[pre[s] + 1]++;
	for (uint32_t p = 0; p < n; p++)
		out_ptr[p + 1] += out_ptr[p];
	/* fill with out_ptr[p] as the cursor of p, then shift the starts back */
	for (size_t s = 0; s < nk; s++)
	{
		uint32_t	at = out_ptr[pre[s]]++;

		out_slot[at] = (uint32_t) s;
		out_post[at] = (uint16_t) (s / k);
	}
	for (uint32_t p = n; p > 0; p--)
		out_ptr[p] = out_ptr[p - 1];
	out_ptr[0] = 0;
}

/* x rounded up to a multiple of 64. */
static size_t
up64(size_t x)
{
	return (x + 63) & ~(size_t) 63;
}

void
snn_fanin_layout_of(uint32_t n, uint32_t k, uint32_t kin, snn_fanin_layout *lay)
{
	size_t		nk = (size_t) n * k,
				nkin = (size_t) n * kin;

	/* the order and alignment of the detector's member sections (v2) */
	lay->off_pre = 0;
	lay->off_w = up64(lay->off_pre + sizeof(uint16_t) * nk);
	lay->off_ptr = up64(lay->off_w + sizeof(float) * nk);
	lay->off_slot = up64(lay->off_ptr + sizeof(uint32_t) * ((size_t) n + 1));
	lay->off_post = up64(lay->off_slot + sizeof(uint32_t) * nk);
	lay->off_iidx = up64(lay->off_post + sizeof(uint16_t) * nk);
	lay->off_iw = up64(lay->off_iidx + sizeof(uint16_t) * nkin);
	lay->size = lay->off_iw + sizeof(float) * nkin;
}

void
snn_fanin_view(void *sec, uint32_t n, uint32_t k, uint32_t n_in, uint32_t kin,
			   snn_fanin *b)
{
	snn_fanin_layout lay;
	char	   *p = sec;

	snn_fanin_layout_of(n, k, kin, &lay);
	b->n = n;
	b->k = k;
	b->n_in = n_in;
	b->kin = kin;
	b->pre = (const uint16_t *) (p + lay.off_pre);
	b->w = (float *) (p + lay.off_w);
	b->out_ptr = (const uint32_t *) (p + lay.off_ptr);
	b->out_slot = (const uint32_t *) (p + lay.off_slot);
	b->out_post = (const uint16_t *) (p + lay.off_post);
	b->in_idx = (const uint16_t *) (p + lay.off_iidx);
	b->in_w = (const float *) (p + lay.off_iw);
}

uint64_t
snn_fanin_build(const snn_fanin_spec *spec, void *sec)
{
	snn_fanin_layout lay;
	char	   *p = sec;
	uint64_t	rng = spec->seed ^ 0x6a09e667f3bcc909ULL;

	snn_fanin_layout_of(spec->n, spec->k, spec->kin, &lay);
	/* recurrent block: Dale's law, balanced E/I, scaled to the radius */
	snn_fanin_wire_dale(spec->n, spec->k, spec->exc_ratio, spec->radius,
						spec->unit, &rng, (uint16_t *) (p + lay.off_pre),
						(float *) (p + lay.off_w));
	snn_fanin_index_outputs(spec->n, spec->k, (uint16_t *) (p + lay.off_pre),
							(uint32_t *) (p + lay.off_ptr),
							(uint32_t *) (p + lay.off_slot),
							(uint16_t *) (p + lay.off_post));
	/* input weights: random sign, so neurons respond to different mixtures */
	if (spec->kin > 0)
		snn_fanin_wire_input(spec->n, spec->kin, spec->n_in, spec->input_gain,
							 spec->unit, &rng, (uint16_t *) (p + lay.off_iidx),
							 (float *) (p + lay.off_iw));
	return rng;
}

void
snn_fanin_input(const snn_fanin *b, const float *u, float *in)
{
	snn_fanin_sums(b->in_idx, b->in_w, u, (int) b->n, (int) b->kin, in);
	/* mean input over the fan-in; 4 x threshold saturates a neuron */
	for (uint32_t i = 0; i < b->n; i++)
		in[i] = in[i] / (int) b->kin * 4.0f;
}

void
snn_fanin_input_bits(const snn_fanin *b, const uint8_t *on, float *in)
{
	int			kin = (int) b->kin;

	for (uint32_t i = 0; i < b->n; i++)
	{
		float		s = 0.0f;

		/* the terms of snn_fanin_sums in its order: w times 1.0f or 0.0f */
		for (int j = 0; j < kin; j++)
		{
			size_t		o = (size_t) i * kin + j;
			uint16_t	l = b->in_idx[o];

			s += b->in_w[o] * (float) ((on[l >> 3] >> (l & 7)) & 1);
		}
		in[i] = s / kin * 4.0f;
	}
}

int
snn_fanin_check(const snn_fanin *b)
{
	size_t		nk = (size_t) b->n * b->k;

	if (b->n > SNN_FANIN_MAX_NEURONS || b->k > b->n || b->kin > b->n_in)
		return 0;
	for (size_t s = 0; s < nk; s++)
		if (b->pre[s] >= b->n)
			return 0;
	for (size_t s = 0; s < (size_t) b->n * b->kin; s++)
		if (b->in_idx[s] >= b->n_in)
			return 0;
	if (b->out_ptr[0] != 0 || b->out_ptr[b->n] != nk)
		return 0;
	for (uint32_t p = 0; p < b->n; p++)
	{
		if (b->out_ptr[p + 1] < b->out_ptr[p])
			return 0;
		for (uint32_t at = b->out_ptr[p]; at < b->out_ptr[p + 1]; at++)
			if (b->out_slot[at] >= nk || b->pre[b->out_slot[at]] != p ||
				b->out_post[at] != b->out_slot[at] / b->k)
				return 0;
	}
	return 1;
}

int
snn_fanin_run(const snn_fanin *b, const snn_fanin_params *p,
			  snn_fanin_state *s, const float *in)
{
	float	   *v = s->v,
			   *a = s->a,
			   *tr = s->trace;
	uint8_t    *spk = s->spk,
			   *cnt = s->count;
	float		dm = p->decay_m,
				da = p->decay_adapt,
				dt = p->decay_trace,
				thr = p->threshold,
				adapt = p->adapt_inc;
	int			n = (int) b->n,
				k = (int) b->k;
	uint8_t		newspk[SNN_FANIN_MAX_NEURONS];
	uint16_t	fl[SNN_FANIN_MAX_NEURONS];
	float		rec[SNN_FANIN_MAX_NEURONS],
				spkf[SNN_FANIN_MAX_NEURONS];
	int			total = 0,
				prev = 0;

	for (int i = 0; i < n; i++)
	{
		cnt[i] = 0;
		if (p->reset)
			v[i] = 0.0f;		/* each run starts from rest: no phase jitter */
		spkf[i] = spk[i];		/* the spikes as weights' factors, 0 or 1 */
		prev += spk[i];
	}
	for (int step = 0; step < p->substeps; step++)
	{
		int			fired = 0;

		/*
		 * Spikes are sparse: with none in the last substep every recurrent
		 * sum is +0, and adding +0 changes no membrane (it is never -0).
		 */
		if (prev > 0)
			snn_fanin_sums(b->pre, b->w, spkf, n, k, rec);
		for (int i = 0; i < n; i++)
		{
			v[i] = v[i] * dm + in[i] + (prev > 0 ? rec[i] : 0.0f);
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
		if (p->learn && fired > 0)
			snn_stdp_fanin_fired(b, tr, newspk, fl, fired, p->a_plus,
								 p->a_minus, p->w_max);
		for (int i = 0; i < n; i++)
		{
			tr[i] = tr[i] * dt + newspk[i];
			spk[i] = newspk[i];
			spkf[i] = newspk[i];
		}
	}
	return total;
}

int
snn_fanin_step(const snn_fanin *b, const snn_fanin_params *p,
			   snn_fanin_state *s, const float *u)
{
	float		in[SNN_FANIN_MAX_NEURONS];

	snn_fanin_input(b, u, in);
	return snn_fanin_run(b, p, s, in);
}
