/*
 * test_hnsw_graph.c: the HNSW search core without PostgreSQL.
 *
 * Checks the neighbour selection rule on hand-made cases, the level
 * distribution, that a layer search with ef = n on a complete graph returns
 * exactly the brute-force order, that the resumable search gives every
 * element once (in exact order on a complete graph) and finds filtered rows
 * at 10 % and 1 % selectivity, and recall@10 of the in-memory graph against
 * exact search on clustered TTFS patterns, on a set where half the rows are
 * duplicates and on one where a single pattern repeats hundreds of times,
 * and that the repair after a build reconnects a graph cut in two.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snn_distance.h"
#include "snn_hnsw_graph.h"
#include "unit.h"

/* xorshift64*: reproducible. */
static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double
unif(uint64_t *s)
{
	return ((next_rand(s) >> 11) + 1) * (1.0 / 9007199254740993.0);
}

static void *
t_alloc(void *ctx, size_t n)
{
	void	   *p = malloc(n ? n : 1);

	(void) ctx;
	if (!p)
		abort();
	return p;
}

static void
t_release(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

/* Clustered TTFS patterns: centres plus jitter, some neurons silent. */
static void
make_clustered(uint8_t *v, int n, int dim, int nclusters, uint64_t *seed)
{
	uint8_t    *centres = malloc((size_t) nclusters * dim);

	for (int c = 0; c < nclusters; c++)
		for (int j = 0; j < dim; j++)
			centres[c * dim + j] = (next_rand(seed) % 5 == 0) ? 255 : (uint8_t) (next_rand(seed) % 200);
	for (int i = 0; i < n; i++)
	{
		int			c = (int) (next_rand(seed) % (uint64_t) nclusters);

		for (int j = 0; j < dim; j++)
		{
			int			t = centres[c * dim + j];

			if (t != 255)
			{
				t += (int) (next_rand(seed) % 41) - 20;
				t = t < 0 ? 0 : (t > 254 ? 254 : t);
			}
			else if (next_rand(seed) % 10 == 0)
				t = (int) (next_rand(seed) % 255);
			v[(size_t) i * dim + j] = (uint8_t) t;
		}
	}
	free(centres);
}

/* Exact k nearest (by (dist, index)) of q among n patterns. */
static void
exact_knn(const uint8_t *v, int n, int dim, const uint8_t *q, int k, snn_hnsw_cand *out)
{
	snn_hnsw_cand *all = malloc(sizeof(snn_hnsw_cand) * n);

	for (int i = 0; i < n; i++)
	{
		all[i].id = (uint64_t) i;
		all[i].dist = snn_l2sq_u8(q, v + (size_t) i * dim, (size_t) dim);
	}
	snn_hnsw_sort(all, n);
	memcpy(out, all, sizeof(snn_hnsw_cand) * k);
	free(all);
}

/*
 * Recall@10 of the graph over nq queries taken from the data with noise.
 * Rows are elements plus merged duplicates, so recall counts by distance:
 * a hit is any result whose distance is within the exact 10th distance,
 * with multiplicity of the rows each element stands for.
 */
static double
recall_at_10(const uint8_t *v, const int *row_elem, int nrows, int dim,
			 snn_hnsw_mem *g, int ef, int nq, uint64_t *seed)
{
	int			hits = 0,
				total = 0;
	uint8_t    *q = malloc(dim);
	int		   *mult = calloc(g->n, sizeof(int));
	snn_hnsw_cand exact[10],
				got[1000];

	for (int i = 0; i < nrows; i++)
		mult[row_elem[i]]++;
	for (int t = 0; t < nq; t++)
	{
		int			r = (int) (next_rand(seed) % (uint64_t) nrows);
		int			n,
					found = 0;

		for (int j = 0; j < dim; j++)
		{
			int			x = v[(size_t) r * dim + j];

			if (x != 255)
			{
				x += (int) (next_rand(seed) % 11) - 5;
				x = x < 0 ? 0 : (x > 254 ? 254 : x);
			}
			q[j] = (uint8_t) x;
		}
		exact_knn(v, nrows, dim, q, 10, exact);
		n = snn_hnsw_mem_search(g, q, ef, ef, got);
		for (int i = 0; i < n && found < 10; i++)
		{
			if (got[i].dist > exact[9].dist)
				break;
			found += mult[got[i].id];
		}
		hits += found > 10 ? 10 : found;
		total += 10;
	}
	free(q);
	free(mult);
	return (double) hits / total;
}

/* Build a graph over rows; row_elem gets each row's element. */
static void
build(snn_hnsw_mem *g, const uint8_t *v, int n, int dim, int maxdup, int *row_elem, uint64_t *seed)
{
	snn_error	err;

	CHECK(snn_hnsw_mem_init(g, SNN_HNSW_L2, dim, 16, 64, SNN_HNSW_MAX_LEVEL, maxdup,
							NULL, t_alloc, t_release, &err) == SNN_OK);
	for (int i = 0; i < n; i++)
	{
		bool		merged;
		int			level = snn_hnsw_random_level(unif(seed), 16, SNN_HNSW_MAX_LEVEL);

		row_elem[i] = (int) snn_hnsw_mem_insert(g, v + (size_t) i * dim, level, &merged);
	}
}

/* Complete graph over a handful of points: used to test heaps and order. */
typedef struct complete_ctx
{
	const uint8_t *v;
	int			n;
	int			dim;
	const uint8_t *q;
} complete_ctx;

static uint64_t
cc_dist_query(void *ctx, uint64_t id, bool *live)
{
	complete_ctx *c = ctx;

	*live = (id % 7) != 3;		/* some elements are dead */
	return snn_l2sq_u8(c->q, c->v + id * c->dim, c->dim);
}

static int
cc_neighbors(void *ctx, uint64_t id, int layer, uint64_t *out, int cap)
{
	complete_ctx *c = ctx;
	int			k = 0;

	(void) layer;
	for (int i = 0; i < c->n && k < cap; i++)
		if ((uint64_t) i != id)
			out[k++] = (uint64_t) i;
	return k;
}

static uint64_t
cc_dist_pair(void *ctx, uint64_t a, uint64_t b)
{
	complete_ctx *c = ctx;

	return snn_l2sq_u8(c->v + a * c->dim, c->v + b * c->dim, c->dim);
}

/* Batch callback over the complete graph: dist_query for each. */
static void
cc_dist_batch(void *ctx, const uint64_t *ids, int n, uint64_t *dist, bool *live)
{
	for (int i = 0; i < n; i++)
		dist[i] = cc_dist_query(ctx, ids[i], &live[i]);
}

/* Callbacks over an in-memory graph, for the resumable search. */
typedef struct mem_ctx
{
	snn_hnsw_mem *g;
	const uint8_t *q;
} mem_ctx;

static uint64_t
mc_dist_query(void *ctx, uint64_t id, bool *live)
{
	mem_ctx    *c = ctx;

	*live = true;
	return snn_l2sq_u8(c->q, c->g->vectors + id * c->g->dim, c->g->dim);
}

static int
mc_neighbors(void *ctx, uint64_t id, int layer, uint64_t *out, int cap)
{
	mem_ctx    *c = ctx;
	snn_hnsw_mem_elem *e = &c->g->elems[id];
	int			n;

	if (layer > e->level)
		return 0;
	n = e->counts[layer] < cap ? e->counts[layer] : cap;
	for (int i = 0; i < n; i++)
		out[i] = e->nbrs[snn_hnsw_layer_start(layer, c->g->m) + i];
	return n;
}

static uint64_t
mc_dist_pair(void *ctx, uint64_t a, uint64_t b)
{
	mem_ctx    *c = ctx;

	return snn_l2sq_u8(c->g->vectors + a * c->g->dim, c->g->vectors + b * c->g->dim, c->g->dim);
}

/*
 * Resumable search over a built graph: a filter that keeps one row in
 * `every` must still give 10 rows of recall >= want against exact filtered
 * search (skipping, when strict, what comes out of order), and walking to
 * the end gives out (nearly) every element once.
 */
static void
iter_filtered(snn_hnsw_mem *g, const uint8_t *v, int n, int dim, int every, int nq,
			  int widen, bool strict, double want, uint64_t *seed)
{
	mem_ctx		mc = {g, NULL};
	snn_hnsw_callbacks cb = {&mc, mc_dist_query, mc_neighbors, mc_dist_pair, t_alloc, t_release, NULL, NULL};
	snn_hnsw_cand *all = malloc(sizeof(snn_hnsw_cand) * n);
	uint8_t    *seen = malloc(n);
	uint8_t    *q = malloc(dim);
	int			hits = 0,
				total = 0;
	uint64_t	inversions = 0,
				given = 0;
	bool		live;

	for (int t = 0; t < nq; t++)
	{
		int			r = (int) (next_rand(seed) % (uint64_t) n),
					nall = 0,
					found = 0;
		snn_hnsw_cand entry,
					c;
		snn_hnsw_iter it;
		snn_hnsw_iter_result res;
		uint64_t	dk,
					last = 0;

		for (int j = 0; j < dim; j++)
			q[j] = v[(size_t) r * dim + j];
		mc.q = q;
		for (int i = 0; i < n; i += 1)
			if (i % every == 0)
			{
				all[nall].id = (uint64_t) i;
				all[nall++].dist = snn_l2sq_u8(q, v + (size_t) i * dim, dim);
			}
		snn_hnsw_sort(all, nall);
		dk = all[9].dist;
		entry.id = g->entry;
		entry.dist = mc_dist_query(&mc, entry.id, &live);
		snn_hnsw_descend(&cb, &g->work, &entry, g->entry_level, 0, 2 * g->m);
		snn_hnsw_iter_start(&cb, &it, &entry, 40, 0, 2 * g->m);
		it.widen = widen > 0 ? 1 : 0;
		it.widen_by = strict ? 2 : 1;
		if (!strict && widen > 1)
			it.widen = widen;
		memset(seen, 0, n);
		while ((res = snn_hnsw_iter_next(&cb, &it, 7, &c)) != SNN_HNSW_ITER_DONE)
		{
			if (res == SNN_HNSW_ITER_PAUSED)
				continue;
			CHECK(c.id < (uint64_t) n && !seen[c.id]);
			seen[c.id] = 1;
			CHECK(c.dist == mc_dist_query(&mc, c.id, &live));
			inversions += c.dist < last;
			if (strict && c.dist < last)
				continue;		/* what a strict_order scan does */
			last = c.dist > last ? c.dist : last;
			if (found < 10 && c.id % (uint64_t) every == 0)
				hits += c.dist <= dk, found++;
			if (t > 0 && found == 10)
				break;			/* walk to the end for the first query only */
		}
		total += 10;
		if (t == 0)
		{
			CHECK(res == SNN_HNSW_ITER_DONE);
			CHECKF(it.given >= (uint64_t) (0.99 * n), "walked %llu of %d",
				   (unsigned long long) it.given, n);
		}
		CHECK(snn_hnsw_iter_bytes(&it) > 0);
		given += it.w.distances;
		CHECK(it.width <= 40 + SNN_HNSW_ITER_MAX_WIDEN);
		snn_hnsw_iter_free(&cb, &it);
	}
	printf("filter 1 in %d, widen %d, %s: recall@10 %.3f, %llu distances, %llu out of order\n",
		   every, widen, strict ? "strict" : "relaxed", (double) hits / total,
		   (unsigned long long) given, (unsigned long long) inversions);
	CHECKF((double) hits / total >= want, "filtered recall %.3f", (double) hits / total);
	free(all);
	free(seen);
	free(q);
}

/* Elements of layer lc the entry point does not reach over out-links. */
static int
unreachable_at(const snn_hnsw_mem *g, int lc)
{
	uint8_t    *seen = calloc(g->n, 1);
	uint32_t   *queue = malloc(sizeof(uint32_t) * g->n);
	int			head = 0,
				tail = 0,
				members = 0;

	seen[g->entry] = 1;
	queue[tail++] = g->entry;
	while (head < tail)
	{
		const snn_hnsw_mem_elem *e = &g->elems[queue[head++]];
		const uint32_t *s = e->nbrs + snn_hnsw_layer_start(lc, g->m);

		for (int i = 0; i < e->counts[lc]; i++)
			if (!seen[s[i]])
			{
				seen[s[i]] = 1;
				queue[tail++] = s[i];
			}
	}
	for (uint32_t i = 0; i < g->n; i++)
		members += g->elems[i].level >= lc;
	free(seen);
	free(queue);
	return members - tail;
}

/* Elements a search for their own pattern (k = ef) does not return. */
static int
self_missed(snn_hnsw_mem *g, int ef)
{
	snn_hnsw_cand *got = malloc(sizeof(snn_hnsw_cand) * ef);
	int			missed = 0;

	for (uint32_t x = 0; x < g->n; x++)
	{
		int			k = snn_hnsw_mem_search(g, g->vectors + (size_t) x * g->dim, ef, ef, got);
		bool		hit = false;

		for (int i = 0; i < k && !hit; i++)
			hit = got[i].id == x;
		missed += !hit;
	}
	free(got);
	return missed;
}

/*
 * Two clusters, the small one (nb rows, at 200..239 on every neuron) among
 * the big one's (at 20..59), then every link from one cluster into the
 * other cut on every layer: the elements on the entry point's far side are
 * unreachable, and the repair must make every element reachable on every
 * layer again and found by a search for its own pattern.
 */
static void
repair_cut_clusters(int m, int na, int nb, uint64_t *seed)
{
	enum
	{
		D = 8
	};
	snn_hnsw_mem g;
	snn_error	err;
	snn_hnsw_repair_stats st;
	int			n = na + nb,
				before = 0,
				after = 0;
	uint8_t    *v = malloc((size_t) n * D);
	bool		merged;

	CHECK(snn_hnsw_mem_init(&g, SNN_HNSW_L2, D, m, 16, SNN_HNSW_MAX_LEVEL, 0, NULL,
							t_alloc, t_release, &err) == SNN_OK);
	for (int i = 0; i < n; i++)
	{
		bool		small = i % (n / nb) == 1 && i / (n / nb) < nb;

		for (int j = 0; j < D; j++)
			v[i * D + j] = (uint8_t) ((small ? 200 : 20) + next_rand(seed) % 40);
		(void) snn_hnsw_mem_insert(&g, v + i * D, snn_hnsw_random_level(unif(seed), m, SNN_HNSW_MAX_LEVEL),
								   &merged);
	}
	/* cut: keep only the links within a cluster */
	for (uint32_t i = 0; i < g.n; i++)
		for (int lc = 0; lc <= g.elems[i].level; lc++)
		{
			uint32_t   *s = g.elems[i].nbrs + snn_hnsw_layer_start(lc, m);
			int			k = 0;

			for (int j = 0; j < g.elems[i].counts[lc]; j++)
				if ((g.vectors[(size_t) s[j] * D] >= 200) == (g.vectors[(size_t) i * D] >= 200))
					s[k++] = s[j];
			g.elems[i].counts[lc] = (uint8_t) k;
		}
	for (int lc = 0; lc <= g.entry_level; lc++)
		before += unreachable_at(&g, lc);
	CHECKF(before > 0, "the cut left every element reachable");
	CHECK(snn_hnsw_mem_repair(&g, 16, &st, &err) == SNN_OK);
	for (int lc = 0; lc <= g.entry_level; lc++)
		after += unreachable_at(&g, lc);
	printf("repair of two cut clusters (m %d, %d + %d): unreachable %d -> %d, "
		   "%llu links for searches that missed, %llu for unreachable, self-search misses %d\n",
		   m, na, nb, before, after, (unsigned long long) st.linked,
		   (unsigned long long) st.reconnected, self_missed(&g, 16));
	CHECKF(after == 0, "%d elements unreachable after the repair", after);
	CHECK(st.left == 0);
	CHECKF(self_missed(&g, 16) == 0, "%d elements not found", self_missed(&g, 16));
	snn_hnsw_mem_free(&g);
	free(v);
}

int
main(void)
{
	uint64_t	seed = 7;
	snn_error	err;
	snn_hnsw_mem g;

	/* validation */
	CHECK(snn_hnsw_mem_init(&g, SNN_HNSW_L2, 8, 1, 64, 4, 0, NULL, t_alloc, t_release, &err) == SNN_E_RANGE);
	CHECK(strcmp(err.field, "m") == 0);
	CHECK(snn_hnsw_mem_init(&g, SNN_HNSW_L2, 0, 16, 64, 4, 0, NULL, t_alloc, t_release, &err) == SNN_E_RANGE);
	CHECK(snn_hnsw_mem_init(&g, (snn_hnsw_metric) 9, 8, 16, 64, 4, 0, NULL, t_alloc, t_release, &err) == SNN_E_CONFIG);

	/* levels: P(level >= 1) = 1/m, capped */
	{
		int			ge1 = 0,
					n = 200000;

		for (int i = 0; i < n; i++)
		{
			int			l = snn_hnsw_random_level(unif(&seed), 16, 3);

			CHECK(l >= 0 && l <= 3);
			ge1 += l >= 1;
		}
		CHECKF(fabs((double) ge1 / n - 1.0 / 16) < 0.005, "P(level>=1)=%g", (double) ge1 / n);
		CHECK(snn_hnsw_random_level(1.0, 16, 5) == 0);
		CHECK(snn_hnsw_random_level(0.0, 16, 5) == 5);
	}

	/* selection: 1-D points; base at 0 */
	{
		static const uint8_t pts[5] = {0, 10, 11, 20, 10};
		complete_ctx c = {pts, 5, 1, pts};
		snn_hnsw_callbacks cb = {&c, cc_dist_query, cc_neighbors, cc_dist_pair, t_alloc, t_release, NULL, NULL};
		snn_hnsw_cand cands[4] = {{1, 100}, {4, 100}, {2, 121}, {3, 400}};
		snn_hnsw_cand out[4];
		int			k = snn_hnsw_select(&cb, cands, 4, 4, out);

		/* 1 kept; 4 is a duplicate of 1; 2 is closer to 1 than to 0; 3 too */
		CHECK(k == 1);
		CHECK(out[0].id == 1);
		k = snn_hnsw_select(&cb, cands, 4, 0, out);
		CHECK(k == 0);
	}

	/* repair: a graph cut in two is whole again, every element findable */
	{
		uint64_t	s2 = 7;

		repair_cut_clusters(6, 800, 30, &s2);
		repair_cut_clusters(4, 2000, 200, &s2);
	}

	/* layer search with ef = n on a complete graph is an exact, sorted search */
	{
		enum
		{
			N = 200, D = 16
		};
		static uint8_t v[N * D];
		uint8_t		q[D];
		complete_ctx c = {v, N, D, q};
		snn_hnsw_callbacks cb = {&c, cc_dist_query, cc_neighbors, cc_dist_pair, t_alloc, t_release, NULL, NULL};
		snn_hnsw_work w;
		snn_hnsw_cand entry = {5, 0},
					out[N];
		int			n,
					nlive = 0;

		memset(&w, 0, sizeof(w));
		for (int i = 0; i < N * D; i++)
			v[i] = (uint8_t) (next_rand(&seed) % 8);	/* many ties */
		for (int i = 0; i < D; i++)
			q[i] = (uint8_t) (next_rand(&seed) % 8);
		for (int i = 0; i < N; i++)
			nlive += (i % 7) != 3;
		n = snn_hnsw_search_layer(&cb, &w, &entry, 1, N, 0, N, out);
		CHECK(n == nlive);
		for (int i = 1; i < n; i++)
			CHECK(out[i - 1].dist < out[i].dist ||
				  (out[i - 1].dist == out[i].dist && out[i - 1].id < out[i].id));
		for (int i = 0; i < n; i++)
			CHECK(out[i].id % 7 != 3 && out[i].dist == snn_l2sq_u8(q, v + out[i].id * D, D));
		/* ef 10: the 10 exact best live ones, since the graph is complete */
		n = snn_hnsw_search_layer(&cb, &w, &entry, 1, 10, 0, N, out + 100);
		CHECK(n == 10);
		CHECK(memcmp(out, out + 100, 10 * sizeof(snn_hnsw_cand)) == 0);
		snn_hnsw_work_free(&w, &cb);
	}

	/* a resumable search on a complete graph gives every live one in order */
	{
		enum
		{
			N = 150, D = 16
		};
		static uint8_t v[N * D];
		uint8_t		q[D];
		complete_ctx c = {v, N, D, q};
		snn_hnsw_callbacks cb = {&c, cc_dist_query, cc_neighbors, cc_dist_pair, t_alloc, t_release, NULL, NULL};
		snn_hnsw_work w;
		snn_hnsw_iter it;
		snn_hnsw_cand entry = {3, 0},	/* a dead entry */
					first[10],
					got,
					prev = {0, 0};
		snn_hnsw_iter_result res;
		int			ngot = 0,
					npaused = 0,
					nlive = 0;

		memset(&w, 0, sizeof(w));
		for (int i = 0; i < N * D; i++)
			v[i] = (uint8_t) (next_rand(&seed) % 8);
		for (int i = 0; i < D; i++)
			q[i] = (uint8_t) (next_rand(&seed) % 8);
		for (int i = 0; i < N; i++)
			nlive += (i % 7) != 3;
		CHECK(snn_hnsw_search_layer(&cb, &w, &entry, 1, 10, 0, N, first) == 10);
		snn_hnsw_iter_start(&cb, &it, &entry, 10, 0, N);
		while ((res = snn_hnsw_iter_next(&cb, &it, 1, &got)) != SNN_HNSW_ITER_DONE)
		{
			if (res == SNN_HNSW_ITER_PAUSED)
			{
				npaused++;
				continue;
			}
			CHECK(got.id % 7 != 3);
			if (ngot < 10)
				CHECK(got.id == first[ngot].id && got.dist == first[ngot].dist);
			if (ngot > 0)
				CHECK(prev.dist < got.dist || (prev.dist == got.dist && prev.id < got.id));
			prev = got;
			ngot++;
		}
		CHECK(ngot == nlive);
		CHECK(npaused >= 1);
		CHECK(it.given == (uint64_t) nlive);
		/* after DONE it stays done */
		CHECK(snn_hnsw_iter_next(&cb, &it, 100, &got) == SNN_HNSW_ITER_DONE);
		snn_hnsw_iter_free(&cb, &it);
		/* batched distances give the same elements in the same order */
		{
			snn_hnsw_callbacks bcb = cb;
			snn_hnsw_iter it1,
						it2;
			snn_hnsw_cand a,
						b;
			int			same = 0;

			bcb.dist_batch = cc_dist_batch;
			snn_hnsw_iter_start(&cb, &it1, &entry, 10, 0, N);
			snn_hnsw_iter_start(&bcb, &it2, &entry, 10, 0, N);
			it1.widen = it2.widen = 1;
			while (snn_hnsw_iter_next(&cb, &it1, 1000, &a) == SNN_HNSW_ITER_FOUND)
			{
				CHECK(snn_hnsw_iter_next(&bcb, &it2, 1000, &b) == SNN_HNSW_ITER_FOUND);
				same += a.id == b.id && a.dist == b.dist;
			}
			CHECK(same == nlive);
			CHECK(snn_hnsw_iter_next(&bcb, &it2, 1000, &b) == SNN_HNSW_ITER_DONE);
			CHECK(it1.w.distances == it2.w.distances);
			snn_hnsw_iter_free(&cb, &it1);
			snn_hnsw_iter_free(&bcb, &it2);
		}
		/* and the single search and the descent too */
		{
			snn_hnsw_callbacks bcb = cb;
			snn_hnsw_work w1,
						w2;
			snn_hnsw_cand o1[20],
						o2[20],
						e1 = entry,
						e2 = entry;
			int			n1,
						n2;

			bcb.dist_batch = cc_dist_batch;
			memset(&w1, 0, sizeof(w1));
			memset(&w2, 0, sizeof(w2));
			n1 = snn_hnsw_search_layer(&cb, &w1, &entry, 1, 20, 0, N, o1);
			n2 = snn_hnsw_search_layer(&bcb, &w2, &entry, 1, 20, 0, N, o2);
			CHECK(n1 == 20 && n1 == n2 && memcmp(o1, o2, sizeof(o1)) == 0);
			CHECK(w1.distances == w2.distances);
			snn_hnsw_descend(&cb, &w1, &e1, 1, 0, N);
			snn_hnsw_descend(&bcb, &w2, &e2, 1, 0, N);
			CHECK(e1.id == e2.id && e1.dist == e2.dist);
			CHECK(w1.distances == w2.distances);
			snn_hnsw_work_free(&w1, &cb);
			snn_hnsw_work_free(&w2, &bcb);
		}
		/* widen_after: the width stays ef for that many, then catches up */
		{
			snn_hnsw_iter it3;
			snn_hnsw_cand a;

			snn_hnsw_iter_start(&cb, &it3, &entry, 10, 0, N);
			it3.widen = 1;
			it3.widen_by = 2;
			it3.widen_after = 5;
			for (int i = 1; i <= 8; i++)
			{
				CHECK(snn_hnsw_iter_next(&cb, &it3, 1000, &a) == SNN_HNSW_ITER_FOUND);
				CHECKF(it3.width == 10 + (i > 5 ? 2 * i : 0), "width %d after %d",
					   it3.width, i);
			}
			snn_hnsw_iter_free(&cb, &it3);
		}
		snn_hnsw_work_free(&w, &cb);
	}

	/* recall on clustered data */
	{
		int			n = 10000,
					dim = 128;
		uint8_t    *v = malloc((size_t) n * dim);
		int		   *row_elem = malloc(sizeof(int) * n);
		double		r40,
					r10;

		make_clustered(v, n, dim, 50, &seed);
		build(&g, v, n, dim, 0, row_elem, &seed);
		CHECK(g.n == (uint32_t) n);
		r10 = recall_at_10(v, row_elem, n, dim, &g, 10, 200, &seed);
		r40 = recall_at_10(v, row_elem, n, dim, &g, 40, 200, &seed);
		printf("clustered %dx%d: recall@10 ef10=%.3f ef40=%.3f\n", n, dim, r10, r40);
		CHECKF(r40 >= 0.95, "recall %.3f", r40);
		CHECK(r40 >= r10 - 0.02);
		iter_filtered(&g, v, n, dim, 10, 50, 0, false, 0.95, &seed);
		iter_filtered(&g, v, n, dim, 100, 50, 0, false, 0.9, &seed);
		iter_filtered(&g, v, n, dim, 100, 50, 1, true, 0.95, &seed);
		iter_filtered(&g, v, n, dim, 100, 50, 2, false, 0.95, &seed);
		/* every neighbour list is within its capacity and names real elements */
		for (uint32_t i = 0; i < g.n; i++)
			for (int l = 0; l <= g.elems[i].level; l++)
			{
				CHECK(g.elems[i].counts[l] <= snn_hnsw_layer_cap(l, 16));
				for (int j = 0; j < g.elems[i].counts[l]; j++)
				{
					uint32_t	nb = g.elems[i].nbrs[snn_hnsw_layer_start(l, 16) + j];

					CHECK(nb < g.n && nb != i && g.elems[nb].level >= l);
				}
			}
		snn_hnsw_mem_free(&g);

		/* half the rows duplicate the other half: merged up to 9 extra rows */
		memcpy(v + (size_t) (n / 2) * dim, v, (size_t) (n / 2) * dim);
		build(&g, v, n, dim, 9, row_elem, &seed);
		CHECKF(g.n <= (uint32_t) (n / 2 + 10), "elements %u", g.n);
		r40 = recall_at_10(v, row_elem, n, dim, &g, 40, 200, &seed);
		printf("half duplicates: %u elements, recall@10 ef40=%.3f\n", g.n, r40);
		CHECKF(r40 >= 0.95, "recall %.3f", r40);
		snn_hnsw_mem_free(&g);

		/* 2000 copies of one pattern among the rest, no merging */
		for (int i = 1; i < 2000; i++)
			memcpy(v + (size_t) (i * 5) * dim, v, dim);
		build(&g, v, n, dim, 0, row_elem, &seed);
		r40 = recall_at_10(v, row_elem, n, dim, &g, 40, 200, &seed);
		printf("2000 copies of one pattern: recall@10 ef40=%.3f\n", r40);
		CHECKF(r40 >= 0.95, "recall %.3f", r40);
		{
			snn_hnsw_cand got[10];

			CHECK(snn_hnsw_mem_search(&g, v, 10, 40, got) == 10);
			for (int i = 0; i < 10; i++)
				CHECK(got[i].dist == 0);
		}
		snn_hnsw_mem_free(&g);
		free(v);
		free(row_elem);
	}

	UNIT_DONE();
}
