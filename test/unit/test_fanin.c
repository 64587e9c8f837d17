/*
 * test_fanin.c: the engine's fixed fan-in block (snn_fanin.h) and its
 * online STDP (snn_stdp_fanin_fired): the random wiring keeps its rules, the gather equals a row-at-a-time
 * sum bit for bit, the output index matches pre and its check refuses
 * every kind of damage, a run follows the LIF equations (threshold,
 * reset, adaptation, traces, counts), and the STDP rule equals a walk over
 * every synapse, keeps each sign in a call and bounds each magnitude.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snn_fanin.h"
#include "snn_learn.h"
#include "snn_random.h"
#include "unit.h"

#define N	37					/* not a multiple of eight: the tail too */
#define K	5

typedef struct block
{
	uint16_t	pre[N * K];
	float		w[N * K];
	uint32_t	ptr[N + 1];
	uint32_t	slot[N * K];
	uint16_t	post[N * K];
	snn_fanin	b;
} block;

/* A random block of N neurons, K distinct inputs each, mixed signs. */
static void
make_block(block *x, uint64_t seed)
{
	uint64_t	rng = seed;

	for (int i = 0; i < N; i++)
		for (int j = 0; j < K; j++)
		{
			int			c,
						dup;

			do
			{
				c = (int) (snn_splitmix64_unit(&rng) * N);
				dup = 0;
				for (int q = 0; q < j; q++)
					dup |= x->pre[i * K + q] == c;
			} while (dup);
			x->pre[i * K + j] = (uint16_t) c;
			x->w[i * K + j] = (float) (snn_splitmix64_unit(&rng) - 0.3);
		}
	snn_fanin_index_outputs(N, K, x->pre, x->ptr, x->slot, x->post);
	x->b.n = N;
	x->b.k = K;
	x->b.pre = x->pre;
	x->b.w = x->w;
	x->b.out_ptr = x->ptr;
	x->b.out_slot = x->slot;
	x->b.out_post = x->post;
	x->b.n_in = 0;
	x->b.kin = 0;
	x->b.in_idx = NULL;
	x->b.in_w = NULL;
}

/* The gather, eight rows at a time, equals one row at a time bit for bit. */
static void
test_sums(void)
{
	block		x;
	float		src[N],
				out[N];
	uint64_t	rng = 7;

	make_block(&x, 1);
	for (int i = 0; i < N; i++)
		src[i] = (float) snn_splitmix64_unit(&rng);
	snn_fanin_sums(x.pre, x.w, src, N, K, out);
	for (int i = 0; i < N; i++)
	{
		float		s = 0.0f;

		for (int j = 0; j < K; j++)
			s += x.w[i * K + j] * src[x.pre[i * K + j]];
		CHECKF(memcmp(&s, &out[i], sizeof(s)) == 0, "row %d", i);
	}
}

/* The output index lists each slot once, under its pre; damage is refused. */
static void
test_index(void)
{
	block		x;
	int			seen[N * K] = {0};

	make_block(&x, 2);
	CHECK(snn_fanin_check(&x.b));
	CHECK(x.ptr[0] == 0 && x.ptr[N] == N * K);
	for (int p = 0; p < N; p++)
		for (uint32_t at = x.ptr[p]; at < x.ptr[p + 1]; at++)
		{
			CHECK(x.pre[x.slot[at]] == p);
			CHECK(x.post[at] == x.slot[at] / K);
			CHECK(at == x.ptr[p] || x.slot[at] > x.slot[at - 1]);	/* slot order */
			seen[x.slot[at]]++;
		}
	for (int s = 0; s < N * K; s++)
		CHECK(seen[s] == 1);
	/* each kind of damage */
	x.pre[3] = N;
	CHECK(!snn_fanin_check(&x.b));
	make_block(&x, 2);
	x.ptr[N] = N * K + 1;
	CHECK(!snn_fanin_check(&x.b));
	make_block(&x, 2);
	x.ptr[5] = x.ptr[6] + 1;
	CHECK(!snn_fanin_check(&x.b));
	make_block(&x, 2);
	x.slot[10] = N * K;
	CHECK(!snn_fanin_check(&x.b));
	make_block(&x, 2);
	x.slot[10] = x.slot[11];
	CHECK(!snn_fanin_check(&x.b));
	make_block(&x, 2);
	x.post[4] = (uint16_t) ((x.post[4] + 1) % N);
	CHECK(!snn_fanin_check(&x.b));
	make_block(&x, 2);
	x.b.k = N + 1;
	CHECK(!snn_fanin_check(&x.b));
}

/*
 * A run without recurrent weights follows the equations by hand: v = 0.6,
 * 0.9, 1.05 fires at the third substep, the threshold then rises by the
 * increment and decays every substep, counts and traces follow.
 */
static void
test_run_lif(void)
{
	block		x;
	float		v[N],
				a[N],
				tr[N],
				in[N];
	uint8_t		spk[N],
				cnt[N];
	snn_fanin_state s = {v, a, tr, spk, cnt};
	snn_fanin_params p = {0};
	int			total;

	make_block(&x, 3);
	memset(x.w, 0, sizeof(x.w));
	memset(v, 0, sizeof(v));
	memset(a, 0, sizeof(a));
	memset(tr, 0, sizeof(tr));
	memset(spk, 0, sizeof(spk));
	for (int i = 0; i < N; i++)
		in[i] = i == 0 ? 0.6f : 0.0f;
	p.decay_m = 0.5f;
	p.decay_adapt = 0.5f;
	p.decay_trace = 0.25f;
	p.threshold = 1.0f;
	p.adapt_inc = 0.5f;
	p.substeps = 4;
	p.reset = 1;
	total = snn_fanin_run(&x.b, &p, &s, in);
	/* substeps: v 0.6, 0.9, 1.05 (fires, v = 0, a = 0.5 * 0.5), 0.6 */
	CHECK(total == 1);
	CHECK(cnt[0] == 1 && spk[0] == 0);
	CHECK(v[0] == 0.6f);
	CHECK(a[0] == 0.125f);		/* 0.25 after the spike's substep, halved */
	CHECK(tr[0] == 0.25f);		/* 1 at the spike, decayed once */
	for (int i = 1; i < N; i++)
		CHECK(cnt[i] == 0 && v[i] == 0.0f && tr[i] == 0.0f);
	/* without reset the membrane carries over: 0.6 * 0.5 + 0.6 = 0.9 first */
	p.reset = 0;
	p.substeps = 1;
	total = snn_fanin_run(&x.b, &p, &s, in);
	CHECK(total == 0 && v[0] == 0.6f * 0.5f + 0.6f);
}

/* STDP by brute force: every synapse, the rule's definition. */
static void
stdp_reference(block *x, const float *tr, const uint8_t *sp, float ap,
			   float am, float wmax)
{
	for (int i = 0; i < N; i++)
		for (int j = 0; j < K; j++)
		{
			int			pre = x->pre[i * K + j];
			float	   *w = &x->w[i * K + j];
			float		dw = 0.0f,
						mag;

			if (sp[i])
			{
				dw += ap * tr[pre];
				dw -= am * tr[i] * (float) sp[pre];
			}
			else if (sp[pre])
				dw -= am * tr[i];
			if (dw == 0.0f)
				continue;
			mag = fabsf(*w) + dw;
			mag = mag > wmax ? wmax : mag < 0.0f ? 0.0f : mag;
			*w = *w < 0.0f ? -mag : mag;
		}
}

/* The rule on the fired neurons only equals the walk over every synapse. */
static void
test_stdp(void)
{
	uint64_t	rng = 11;

	for (int c = 0; c < 200; c++)
	{
		block		x,
					y;
		float		tr[N];
		uint8_t		sp[N];
		uint16_t	fl[N];
		uint32_t	nf = 0;
		float		ap = 0.05f,
					am = 0.06f,
					wmax = c % 2 ? 0.5f : 2.0f;
		int			neg_before = 0,
					neg_after = 0;

		make_block(&x, 100 + c);
		y = x;
		y.b.pre = y.pre;
		y.b.w = y.w;
		y.b.out_ptr = y.ptr;
		y.b.out_slot = y.slot;
		y.b.out_post = y.post;
		for (int i = 0; i < N; i++)
		{
			tr[i] = (float) (3.0 * snn_splitmix64_unit(&rng));
			sp[i] = snn_splitmix64_unit(&rng) < 0.3;
			if (sp[i])
				fl[nf++] = (uint16_t) i;
		}
		for (int s = 0; s < N * K; s++)
			neg_before += x.w[s] < 0.0f;
		snn_stdp_fanin_fired(&x.b, tr, sp, fl, nf, ap, am, wmax);
		stdp_reference(&y, tr, sp, ap, am, wmax);
		CHECKF(memcmp(x.w, y.w, sizeof(x.w)) == 0, "case %d", c);
		for (int s = 0; s < N * K; s++)
		{
			neg_after += x.w[s] < 0.0f || (x.w[s] == 0.0f && signbit(x.w[s]));
			CHECK(fabsf(x.w[s]) <= wmax || fabsf(x.w[s]) == fabsf(y.w[s]));
		}
		CHECKF(neg_after >= neg_before, "case %d: a weight changed sign", c);
	}
}

/* With learning on, a run changes only weights of synapses that saw spikes. */
static void
test_run_learns(void)
{
	block		x,
				before;
	float		v[N] = {0},
				a[N] = {0},
				tr[N] = {0},
				in[N];
	uint8_t		spk[N] = {0},
				cnt[N];
	snn_fanin_state s = {v, a, tr, spk, cnt};
	snn_fanin_params p = {0};
	int			total,
				changed = 0;

	make_block(&x, 5);
	before = x;
	for (int i = 0; i < N; i++)
		in[i] = 0.3f + 0.02f * i;
	p.decay_m = 0.8f;
	p.decay_adapt = 0.9f;
	p.decay_trace = 0.7f;
	p.threshold = 1.0f;
	p.adapt_inc = 0.2f;
	p.substeps = 8;
	p.reset = 1;
	p.learn = 1;
	p.a_plus = 0.01f;
	p.a_minus = 0.0105f;
	p.w_max = 2.0f;
	total = snn_fanin_run(&x.b, &p, &s, in);
	CHECK(total > 0);
	for (int q = 0; q < N * K; q++)
	{
		changed += x.w[q] != before.w[q];

		/*
		 * An excitatory weight stays excitatory; an inhibitory one clipped to
		 * -0 counts as excitatory afterwards (the rule's definition), so only
		 * a small one may come back positive.
		 */
		CHECKF(before.w[q] < 0.0f || !(x.w[q] < 0.0f), "%d: %g -> %g", q, before.w[q], x.w[q]);
		CHECKF(!(before.w[q] < 0.0f) || x.w[q] <= 0.0f ||
			   -before.w[q] + x.w[q] <= p.substeps * (p.a_plus + p.a_minus) * 8.0f,
			   "%d: %g -> %g", q, before.w[q], x.w[q]);
	}
	CHECK(changed > 0);
	CHECK(snn_fanin_check(&x.b));
}

/*
 * Random wiring: distinct inputs other than the neuron itself, in range,
 * signs by the presynaptic neuron (excitatory below round(0.75 n)), the
 * mean row sum of squares at the radius, the same for the same seed; the
 * input projection's magnitudes in [0.5, 1.5] times the gains.
 */
static void
test_wire(void)
{
	uint16_t	pre[N * K],
				pre2[N * K],
				idx[N * 3];
	float		w[N * K],
				w2[N * K],
				iw[N * 3];
	uint64_t	rng = 99,
				rng2 = 99;
	double		sumsq = 0.0;
	int			n_exc = (int) lround(0.75 * N),
				neg = 0;

	snn_fanin_wire_dale(N, K, 0.75, 0.3, 2.0, &rng, pre, w);
	snn_fanin_wire_dale(N, K, 0.75, 0.3, 2.0, &rng2, pre2, w2);
	CHECK(rng == rng2 && memcmp(pre, pre2, sizeof(pre)) == 0 &&
		  memcmp(w, w2, sizeof(w)) == 0);
	for (int i = 0; i < N; i++)
		for (int j = 0; j < K; j++)
		{
			int			p = pre[i * K + j];

			CHECK(p < N && p != i);
			for (int q = 0; q < j; q++)
				CHECK(pre[i * K + q] != p);
			CHECK((w[i * K + j] < 0.0f) == (p >= n_exc));
			neg += w[i * K + j] < 0.0f;
			sumsq += (double) w[i * K + j] * w[i * K + j];
		}
	CHECK(neg > 0 && neg < N * K);
	/* the circular law's radius: sqrt(mean row sum of squares) = 0.3 x 2 */
	CHECKF(fabs(sqrt(sumsq / N) - 0.6) < 1e-6, "radius %g", sqrt(sumsq / N));
	snn_fanin_wire_input(N, 3, 10, 1.5, 2.0, &rng, idx, iw);
	for (int i = 0; i < N * 3; i++)
	{
		CHECK(idx[i] < 10);
		CHECK(fabsf(iw[i]) >= 0.5f * 3.0f - 1e-6f && fabsf(iw[i]) <= 1.5f * 3.0f + 1e-6f);
	}
	/* a full fan-in (k = n) takes every neuron, itself included */
	snn_fanin_wire_dale(4, 4, 0.5, 1.0, 1.0, &rng, pre, w);
	for (int i = 0; i < 4; i++)
	{
		int			seen = 0;

		for (int j = 0; j < 4; j++)
			seen |= 1 << pre[i * 4 + j];
		CHECK(seen == 15);
	}
}

int
main(void)
{
	test_wire();
	test_sums();
	test_index();
	test_run_lif();
	test_stdp();
	test_run_learns();
	UNIT_DONE();
}
