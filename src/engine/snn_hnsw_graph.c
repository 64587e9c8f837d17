/*
 * snn_hnsw_graph.c: HNSW layer search, greedy descent, neighbour selection
 * and the in-memory graph of an index build.  See snn_hnsw_graph.h.
 */
#include "snn_hnsw_graph.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "snn_distance.h"
#include "snn_interrupt.h"

/* (dist, id) order: the total order every search and selection uses. */
static inline bool
cand_less(uint64_t da, uint64_t ia, uint64_t db, uint64_t ib)
{
	return da < db || (da == db && ia < ib);
}

/* Grow an array of elem-sized items to hold at least need of them. */
static void *
grow(const snn_hnsw_callbacks *cb, void *old, size_t have, size_t *cap,
	 size_t need, size_t elem)
{
	size_t		ncap = *cap ? *cap : 64;
	void	   *p;

	if (need <= *cap)
		return old;
	while (ncap < need)
		ncap *= 2;
	p = cb->alloc(cb->ctx, ncap * elem);
	if (old)
	{
		memcpy(p, old, have * elem);
		cb->release(cb->ctx, old);
	}
	*cap = ncap;
	return p;
}

/* Push onto the min-heap of candidates. */
static void
cand_push(const snn_hnsw_callbacks *cb, snn_hnsw_work *w, uint64_t id, uint64_t d)
{
	size_t		cap = (size_t) w->capcand;
	int			i;

	w->cand = grow(cb, w->cand, (size_t) w->ncand, &cap, (size_t) w->ncand + 1,
				   sizeof(snn_hnsw_cand));
	w->capcand = (int) cap;
	i = w->ncand++;
	while (i > 0)
	{
		int			p = (i - 1) / 2;

		if (!cand_less(d, id, w->cand[p].dist, w->cand[p].id))
			break;
		w->cand[i] = w->cand[p];
		i = p;
	}
	w->cand[i].id = id;
	w->cand[i].dist = d;
}

/* Pop the smallest candidate. */
static snn_hnsw_cand
cand_pop(snn_hnsw_work *w)
{
	snn_hnsw_cand top = w->cand[0];
	snn_hnsw_cand last = w->cand[--w->ncand];
	int			i = 0;

	for (;;)
	{
		int			l = 2 * i + 1,
					s = l;

		if (l >= w->ncand)
			break;
		if (l + 1 < w->ncand &&
			cand_less(w->cand[l + 1].dist, w->cand[l + 1].id, w->cand[l].dist, w->cand[l].id))
			s = l + 1;
		if (!cand_less(w->cand[s].dist, w->cand[s].id, last.dist, last.id))
			break;
		w->cand[i] = w->cand[s];
		i = s;
	}
	if (w->ncand > 0)
		w->cand[i] = last;
	return top;
}

/* Push onto the max-heap of results (capacity ensured by the caller). */
static void
best_push(snn_hnsw_work *w, uint64_t id, uint64_t d)
{
	int			i = w->nbest++;

	while (i > 0)
	{
		int			p = (i - 1) / 2;

		if (!cand_less(w->best[p].dist, w->best[p].id, d, id))
			break;
		w->best[i] = w->best[p];
		i = p;
	}
	w->best[i].id = id;
	w->best[i].dist = d;
}

/* Pop the largest result. */
static snn_hnsw_cand
best_pop(snn_hnsw_work *w)
{
	snn_hnsw_cand top = w->best[0];
	snn_hnsw_cand last = w->best[--w->nbest];
	int			i = 0;

	for (;;)
	{
		int			l = 2 * i + 1,
					s = l;

		if (l >= w->nbest)
			break;
		if (l + 1 < w->nbest &&
			cand_less(w->best[l].dist, w->best[l].id, w->best[l + 1].dist, w->best[l + 1].id))
			s = l + 1;
		if (!cand_less(last.dist, last.id, w->best[s].dist, w->best[s].id))
			break;
		w->best[i] = w->best[s];
		i = s;
	}
	if (w->nbest > 0)
		w->best[i] = last;
	return top;
}

/* Mix the bits of an id for the visited set. */
static inline size_t
hash_id(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t) x;
}

/* Empty the visited set, sized for about expect entries. */
static void
visited_reset(const snn_hnsw_callbacks *cb, snn_hnsw_work *w, size_t expect)
{
	size_t		want = 256;

	while (want < expect * 2)
		want *= 2;
	if (w->capvisited < want)
	{
		if (w->visited)
			cb->release(cb->ctx, w->visited);
		w->visited = cb->alloc(cb->ctx, want * sizeof(uint64_t));
		w->capvisited = want;
	}
	memset(w->visited, 0xff, w->capvisited * sizeof(uint64_t));
	w->nvisited = 0;
}

/* Insert id into the visited set; false when it was there already. */
static bool
visited_add(const snn_hnsw_callbacks *cb, snn_hnsw_work *w, uint64_t id)
{
	size_t		mask,
				i;

	if ((w->nvisited + 1) * 2 > w->capvisited)
	{
		uint64_t   *old = w->visited;
		size_t		oldcap = w->capvisited;

		w->capvisited = oldcap * 2;
		w->visited = cb->alloc(cb->ctx, w->capvisited * sizeof(uint64_t));
		memset(w->visited, 0xff, w->capvisited * sizeof(uint64_t));
		mask = w->capvisited - 1;
		for (size_t j = 0; j < oldcap; j++)
		{
			if (old[j] == SNN_HNSW_NO_ID)
				continue;
			for (i = hash_id(old[j]) & mask; w->visited[i] != SNN_HNSW_NO_ID; i = (i + 1) & mask)
				;
			w->visited[i] = old[j];
		}
		cb->release(cb->ctx, old);
	}
	mask = w->capvisited - 1;
	for (i = hash_id(id) & mask; w->visited[i] != SNN_HNSW_NO_ID; i = (i + 1) & mask)
	{
		if (w->visited[i] == id)
			return false;
	}
	w->visited[i] = id;
	w->nvisited++;
	return true;
}

/* Make room for maxdeg neighbour ids, their distances and liveness. */
static void
work_nbuf(const snn_hnsw_callbacks *cb, snn_hnsw_work *w, int maxdeg)
{
	size_t		cap = (size_t) w->capnbuf;

	if ((size_t) maxdeg <= cap && w->nbuf && w->ndist && w->nlive)
		return;
	w->nbuf = grow(cb, w->nbuf, 0, &cap, (size_t) (maxdeg > 0 ? maxdeg : 1), sizeof(uint64_t));
	if (w->ndist)
		cb->release(cb->ctx, w->ndist);
	if (w->nlive)
		cb->release(cb->ctx, w->nlive);
	w->ndist = cb->alloc(cb->ctx, cap * sizeof(uint64_t));
	w->nlive = cb->alloc(cb->ctx, cap * sizeof(bool));
	w->capnbuf = (int) cap;
}

/* Make room for ef results and maxdeg neighbours. */
static void
work_prepare(const snn_hnsw_callbacks *cb, snn_hnsw_work *w, int ef, int maxdeg)
{
	size_t		cap;

	cap = (size_t) w->capbest;
	w->best = grow(cb, w->best, 0, &cap, (size_t) ef + 1, sizeof(snn_hnsw_cand));
	w->capbest = (int) cap;
	work_nbuf(cb, w, maxdeg);
	w->ncand = 0;
	w->nbest = 0;
}

/*
 * Distances from the query to the first n ids of w->nbuf into w->ndist and
 * w->nlive: in one dist_batch call when the caller gave one (the page reads
 * can then overlap), else one dist_query each.
 */
static void
work_dists(const snn_hnsw_callbacks *cb, snn_hnsw_work *w, int n)
{
	if (n <= 0)
		return;
	w->distances += (uint64_t) n;
	if (cb->dist_batch)
	{
		cb->dist_batch(cb->ctx, w->nbuf, n, w->ndist, w->nlive);
		return;
	}
	for (int j = 0; j < n; j++)
	{
		w->nlive[j] = true;
		w->ndist[j] = cb->dist_query(cb->ctx, w->nbuf[j], &w->nlive[j]);
	}
}

/* Keep the ids of w->nbuf[0..n) not visited yet, in order; their number. */
static int
work_unvisited(const snn_hnsw_callbacks *cb, snn_hnsw_work *w, int n)
{
	int			k = 0;

	for (int j = 0; j < n; j++)
		if (visited_add(cb, w, w->nbuf[j]))
			w->nbuf[k++] = w->nbuf[j];
	return k;
}

void
snn_hnsw_work_free(snn_hnsw_work *w, const snn_hnsw_callbacks *cb)
{
	if (w->cand)
		cb->release(cb->ctx, w->cand);
	if (w->best)
		cb->release(cb->ctx, w->best);
	if (w->visited)
		cb->release(cb->ctx, w->visited);
	if (w->nbuf)
		cb->release(cb->ctx, w->nbuf);
	if (w->ndist)
		cb->release(cb->ctx, w->ndist);
	if (w->nlive)
		cb->release(cb->ctx, w->nlive);
	memset(w, 0, sizeof(*w));
}

int
snn_hnsw_search_layer(const snn_hnsw_callbacks *cb, snn_hnsw_work *w,
					  const snn_hnsw_cand *entries, int nentries,
					  int ef, int layer, int maxdeg, snn_hnsw_cand *out)
{
	int			n;

	work_prepare(cb, w, ef, maxdeg);
	visited_reset(cb, w, (size_t) ef * (size_t) maxdeg);

	for (int i = 0; i < nentries; i++)
	{
		bool		live = true;
		uint64_t	d;

		if (!visited_add(cb, w, entries[i].id))
			continue;
		d = cb->dist_query(cb->ctx, entries[i].id, &live);
		w->distances++;
		cand_push(cb, w, entries[i].id, d);
		if (live)
		{
			best_push(w, entries[i].id, d);
			if (w->nbest > ef)
				(void) best_pop(w);
		}
	}

	while (w->ncand > 0)
	{
		snn_hnsw_cand c = cand_pop(w);
		int			nn;

		if (w->nbest >= ef &&
			cand_less(w->best[0].dist, w->best[0].id, c.dist, c.id))
			break;
		nn = cb->neighbors(cb->ctx, c.id, layer, w->nbuf, maxdeg);
		nn = work_unvisited(cb, w, nn);
		work_dists(cb, w, nn);
		for (int j = 0; j < nn; j++)
		{
			uint64_t	e = w->nbuf[j];
			uint64_t	d = w->ndist[j];

			if (w->nbest < ef || cand_less(d, e, w->best[0].dist, w->best[0].id))
			{
				cand_push(cb, w, e, d);
				if (w->nlive[j])
				{
					best_push(w, e, d);
					if (w->nbest > ef)
						(void) best_pop(w);
				}
			}
		}
	}

	n = w->nbest;
	for (int i = n - 1; i >= 0; i--)
		out[i] = best_pop(w);
	return n;
}

void
snn_hnsw_descend(const snn_hnsw_callbacks *cb, snn_hnsw_work *w,
				 snn_hnsw_cand *entry, int top, int stop, int maxdeg)
{
	work_nbuf(cb, w, maxdeg);

	for (int lc = top; lc > stop; lc--)
	{
		bool		moved = true;

		while (moved)
		{
			int			nn = cb->neighbors(cb->ctx, entry->id, lc, w->nbuf, maxdeg);

			moved = false;
			work_dists(cb, w, nn);
			for (int j = 0; j < nn; j++)
			{
				if (cand_less(w->ndist[j], w->nbuf[j], entry->dist, entry->id))
				{
					entry->id = w->nbuf[j];
					entry->dist = w->ndist[j];
					moved = true;
				}
			}
		}
	}
}

int
snn_hnsw_select(const snn_hnsw_callbacks *cb, const snn_hnsw_cand *cands,
				int ncands, int m, snn_hnsw_cand *out)
{
	int			k = 0;

	for (int i = 0; i < ncands && k < m; i++)
	{
		snn_hnsw_cand c = cands[i];
		bool		good = true;

		for (int j = 0; j < k; j++)
		{
			uint64_t	d = cb->dist_pair(cb->ctx, c.id, out[j].id);

			if (d < c.dist || d == 0)
			{
				good = false;
				break;
			}
		}
		if (good)
			out[k++] = c;
	}
	return k;
}

/* qsort comparator on (dist, id). */
static int
cmp_cand(const void *a, const void *b)
{
	const snn_hnsw_cand *x = a,
			   *y = b;

	if (cand_less(x->dist, x->id, y->dist, y->id))
		return -1;
	if (cand_less(y->dist, y->id, x->dist, x->id))
		return 1;
	return 0;
}

void
snn_hnsw_sort(snn_hnsw_cand *c, int n)
{
	/* insertion sort for the short lists of a neighbour update */
	if (n <= 24)
	{
		for (int i = 1; i < n; i++)
		{
			snn_hnsw_cand v = c[i];
			int			j = i - 1;

			while (j >= 0 && cand_less(v.dist, v.id, c[j].dist, c[j].id))
			{
				c[j + 1] = c[j];
				j--;
			}
			c[j + 1] = v;
		}
		return;
	}
	qsort(c, (size_t) n, sizeof(snn_hnsw_cand), cmp_cand);
}

int
snn_hnsw_random_level(double u, int m, int maxlevel)
{
	double		l;

	if (u <= 0.0)
		u = 1e-300;
	if (u > 1.0)
		u = 1.0;
	l = floor(-log(u) / log((double) (m < 2 ? 2 : m)));
	if (l > (double) maxlevel)
		return maxlevel;
	return (int) l;
}

uint64_t
snn_hnsw_distance(snn_hnsw_metric metric, const uint8_t *a, const uint8_t *b, size_t dim)
{
	return metric == SNN_HNSW_L1 ? snn_l1_u8(a, b, dim) : snn_l2sq_u8(a, b, dim);
}

/* ---- resumable search ---- */

/* Push onto the min-heap of live elements beyond the window. */
static void
over_push(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it, snn_hnsw_cand c)
{
	int			i;

	it->over = grow(cb, it->over, (size_t) it->nover, &it->capover,
					(size_t) it->nover + 1, sizeof(snn_hnsw_cand));
	i = it->nover++;
	while (i > 0)
	{
		int			p = (i - 1) / 2;

		if (!cand_less(c.dist, c.id, it->over[p].dist, it->over[p].id))
			break;
		it->over[i] = it->over[p];
		i = p;
	}
	it->over[i] = c;
}

/* Pop the nearest element beyond the window. */
static snn_hnsw_cand
over_pop(snn_hnsw_iter *it)
{
	snn_hnsw_cand top = it->over[0];
	snn_hnsw_cand last = it->over[--it->nover];
	int			i = 0;

	for (;;)
	{
		int			l = 2 * i + 1,
					s = l;

		if (l >= it->nover)
			break;
		if (l + 1 < it->nover &&
			cand_less(it->over[l + 1].dist, it->over[l + 1].id, it->over[l].dist, it->over[l].id))
			s = l + 1;
		if (!cand_less(it->over[s].dist, it->over[s].id, last.dist, last.id))
			break;
		it->over[i] = it->over[s];
		i = s;
	}
	if (it->nover > 0)
		it->over[i] = last;
	return top;
}

/* Insert into the sorted window (room for one more ensured by the caller). */
static void
win_insert(snn_hnsw_iter *it, snn_hnsw_cand c)
{
	snn_hnsw_cand *base;
	int			lo = 0,
				hi = it->nwin;

	if (it->winstart + it->nwin >= it->capwin)
	{
		memmove(it->win, it->win + it->winstart, sizeof(snn_hnsw_cand) * (size_t) it->nwin);
		it->winstart = 0;
	}
	base = it->win + it->winstart;
	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (cand_less(base[mid].dist, base[mid].id, c.dist, c.id))
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(base + lo + 1, base + lo, sizeof(snn_hnsw_cand) * (size_t) (it->nwin - lo));
	base[lo] = c;
	it->nwin++;
}

/* A live element found: into the window if among the ef nearest, else over. */
static void
iter_found(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it, uint64_t id, uint64_t d)
{
	snn_hnsw_cand c = {id, d};

	if (it->nwin < it->width)
	{
		win_insert(it, c);
		return;
	}
	{
		snn_hnsw_cand *worst = &it->win[it->winstart + it->nwin - 1];

		if (!cand_less(d, id, worst->dist, worst->id))
		{
			over_push(cb, it, c);
			return;
		}
		over_push(cb, it, *worst);
		it->nwin--;
		win_insert(it, c);
	}
}

/* Visit one element: its distance, a candidate, and a result if live. */
static void
iter_visit(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it, uint64_t id)
{
	bool		live = true;
	uint64_t	d;

	if (!visited_add(cb, &it->w, id))
		return;
	d = cb->dist_query(cb->ctx, id, &live);
	it->w.distances++;
	cand_push(cb, &it->w, id, d);
	if (live)
		iter_found(cb, it, id, d);
}

/* Widen the lookahead by one, growing the window's array when full. */
static void
iter_widen(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it)
{
	if (it->width >= it->ef + SNN_HNSW_ITER_MAX_WIDEN)
		return;
	it->width++;
	if (2 * it->width + 1 > it->capwin)
	{
		int			ncap = 4 * it->width + 1;
		snn_hnsw_cand *w = cb->alloc(cb->ctx, sizeof(snn_hnsw_cand) * (size_t) ncap);

		memcpy(w, it->win + it->winstart, sizeof(snn_hnsw_cand) * (size_t) it->nwin);
		cb->release(cb->ctx, it->win);
		it->win = w;
		it->winstart = 0;
		it->capwin = ncap;
	}
}

/*
 * Widen the lookahead to ef + widen_by for every widen elements given out
 * (capped): past widen_after, a deep search has the width it would have had
 * widening from its first element.
 */
static void
iter_widen_to(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it)
{
	uint64_t	steps = it->given / (uint64_t) it->widen;
	uint64_t	target = (uint64_t) it->ef + (uint64_t) it->widen_by * steps;

	while ((uint64_t) it->width < target &&
		   it->width < it->ef + SNN_HNSW_ITER_MAX_WIDEN)
		iter_widen(cb, it);
}

/* Visit the unvisited ones of the nn neighbours in w.nbuf as one batch. */
static void
iter_visit_batch(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it, int nn)
{
	uint64_t   *ids = it->w.nbuf;
	int			k = 0;

	for (int j = 0; j < nn; j++)
		if (visited_add(cb, &it->w, ids[j]))
			ids[k++] = ids[j];
	if (k == 0)
		return;
	cb->dist_batch(cb->ctx, ids, k, it->bdist, it->blive);
	it->w.distances += (uint64_t) k;
	for (int j = 0; j < k; j++)
	{
		cand_push(cb, &it->w, ids[j], it->bdist[j]);
		if (it->blive[j])
			iter_found(cb, it, ids[j], it->bdist[j]);
	}
}

void
snn_hnsw_iter_start(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it,
					const snn_hnsw_cand *entry, int ef, int layer, int maxdeg)
{
	memset(it, 0, sizeof(*it));
	it->ef = ef < 1 ? 1 : ef;
	it->width = it->ef;
	it->widen_by = 1;
	it->layer = layer;
	it->maxdeg = maxdeg;
	it->capwin = 2 * it->ef + 1;
	it->win = cb->alloc(cb->ctx, sizeof(snn_hnsw_cand) * (size_t) it->capwin);
	it->bdist = cb->alloc(cb->ctx, sizeof(uint64_t) * (size_t) (maxdeg > 0 ? maxdeg : 1));
	it->blive = cb->alloc(cb->ctx, sizeof(bool) * (size_t) (maxdeg > 0 ? maxdeg : 1));
	work_nbuf(cb, &it->w, maxdeg);
	visited_reset(cb, &it->w, (size_t) it->ef * (size_t) maxdeg);
	iter_visit(cb, it, entry->id);
}

snn_hnsw_iter_result
snn_hnsw_iter_next(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it, int budget,
				   snn_hnsw_cand *out)
{
	for (;;)
	{
		snn_hnsw_cand c;
		int			nn;

		/* expand while a candidate is nearer than the window's farthest */
		if (it->w.ncand > 0 &&
			(it->nwin < it->width ||
			 cand_less(it->w.cand[0].dist, it->w.cand[0].id,
					   it->win[it->winstart + it->nwin - 1].dist,
					   it->win[it->winstart + it->nwin - 1].id)))
		{
			if (budget-- <= 0)
				return SNN_HNSW_ITER_PAUSED;
			c = cand_pop(&it->w);
			it->expanded++;
			/* the next nearest is likely expanded next: fetch it meanwhile */
			if (cb->prefetch && it->w.ncand > 0)
				cb->prefetch(cb->ctx, it->w.cand[0].id);
			nn = cb->neighbors(cb->ctx, c.id, it->layer, it->w.nbuf, it->maxdeg);
			if (cb->dist_batch)
				iter_visit_batch(cb, it, nn);
			else
				for (int j = 0; j < nn; j++)
					iter_visit(cb, it, it->w.nbuf[j]);
			continue;
		}
		if (it->nwin == 0)
			return SNN_HNSW_ITER_DONE;
		*out = it->win[it->winstart++];
		it->nwin--;
		it->given++;
		if (it->widen > 0 && it->given > it->widen_after)
			iter_widen_to(cb, it);
		while (it->nover > 0 && it->nwin < it->width)
			win_insert(it, over_pop(it));
		return SNN_HNSW_ITER_FOUND;
	}
}

size_t
snn_hnsw_iter_bytes(const snn_hnsw_iter *it)
{
	return sizeof(snn_hnsw_cand) * ((size_t) it->w.capcand + it->capover + (size_t) it->capwin) +
		sizeof(uint64_t) * (it->w.capvisited + 3 * (size_t) it->w.capnbuf) +
		2 * sizeof(bool) * (size_t) it->w.capnbuf;
}

void
snn_hnsw_iter_free(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it)
{
	snn_hnsw_work_free(&it->w, cb);
	if (it->win)
		cb->release(cb->ctx, it->win);
	if (it->bdist)
		cb->release(cb->ctx, it->bdist);
	if (it->blive)
		cb->release(cb->ctx, it->blive);
	if (it->over)
		cb->release(cb->ctx, it->over);
	memset(it, 0, sizeof(*it));
}

/* ---- in-memory graph ---- */

/* The vector of element id. */
static inline const uint8_t *
mem_vec(const snn_hnsw_mem *g, uint64_t id)
{
	return g->vectors + (size_t) id * (size_t) g->dim;
}

static uint64_t
mem_dist_query(void *ctx, uint64_t id, bool *live)
{
	snn_hnsw_mem *g = ctx;

	*live = true;
	return snn_hnsw_distance(g->metric, g->query, mem_vec(g, id), (size_t) g->dim);
}

static int
mem_neighbors(void *ctx, uint64_t id, int layer, uint64_t *out, int cap)
{
	snn_hnsw_mem *g = ctx;
	snn_hnsw_mem_elem *e = &g->elems[id];
	const uint32_t *s;
	int			n;

	if (layer > e->level)
		return 0;
	s = e->nbrs + snn_hnsw_layer_start(layer, g->m);
	n = e->counts[layer] < cap ? e->counts[layer] : cap;
	for (int i = 0; i < n; i++)
		out[i] = s[i];
	return n;
}

static uint64_t
mem_dist_pair(void *ctx, uint64_t a, uint64_t b)
{
	snn_hnsw_mem *g = ctx;

	return snn_hnsw_distance(g->metric, mem_vec(g, a), mem_vec(g, b), (size_t) g->dim);
}

static void *
mem_alloc(void *ctx, size_t size)
{
	snn_hnsw_mem *g = ctx;

	g->bytes += size;
	return g->alloc(g->mctx, size);
}

static void
mem_release(void *ctx, void *p)
{
	snn_hnsw_mem *g = ctx;

	g->release(g->mctx, p);
}

/* The callbacks of the in-memory graph. */
static snn_hnsw_callbacks
mem_callbacks(snn_hnsw_mem *g)
{
	snn_hnsw_callbacks cb = {g, mem_dist_query, mem_neighbors, mem_dist_pair,
	mem_alloc, mem_release, NULL, NULL};

	return cb;
}

snn_status
snn_hnsw_mem_init(snn_hnsw_mem *g, snn_hnsw_metric metric, int dim,
				  int m, int ef_construction, int maxlevel, int maxdup,
				  void *mctx, void *(*alloc) (void *, size_t),
				  void (*release) (void *, void *), snn_error *err)
{
	memset(g, 0, sizeof(*g));
	if (metric != SNN_HNSW_L2 && metric != SNN_HNSW_L1)
		return snn_fail(err, SNN_E_CONFIG, "metric", "unknown metric %d", (int) metric);
	if (dim < 1)
		return snn_fail(err, SNN_E_RANGE, "dim", "dimension must be at least 1");
	if (m < SNN_HNSW_MIN_M || m > SNN_HNSW_MAX_M)
		return snn_fail(err, SNN_E_RANGE, "m", "m must be between %d and %d",
						SNN_HNSW_MIN_M, SNN_HNSW_MAX_M);
	if (ef_construction < 1)
		return snn_fail(err, SNN_E_RANGE, "ef_construction", "ef_construction must be at least 1");
	if (maxlevel < 0 || maxlevel > SNN_HNSW_MAX_LEVEL)
		return snn_fail(err, SNN_E_RANGE, "maxlevel", "maxlevel must be between 0 and %d",
						SNN_HNSW_MAX_LEVEL);
	g->metric = metric;
	g->dim = dim;
	g->m = m;
	g->ef_construction = ef_construction;
	g->maxlevel = maxlevel;
	g->maxdup = maxdup < 0 ? 0 : (maxdup > 255 ? 255 : maxdup);
	g->entry = UINT32_MAX;
	g->entry_level = -1;
	g->mctx = mctx;
	g->alloc = alloc;
	g->release = release;
	g->buf1 = mem_alloc(g, sizeof(snn_hnsw_cand) * (size_t) (ef_construction + 2 * m + 1));
	g->buf2 = mem_alloc(g, sizeof(snn_hnsw_cand) * (size_t) (SNN_HNSW_MAX_LEVEL + 1) * 2 * (size_t) m);
	return SNN_OK;
}

/* Make room for one more element. */
static void
mem_reserve(snn_hnsw_mem *g)
{
	uint32_t	ncap;
	uint8_t    *v;
	snn_hnsw_mem_elem *e;

	if (g->n < g->cap)
		return;
	ncap = g->cap ? g->cap * 2 : 1024;
	v = mem_alloc(g, (size_t) ncap * (size_t) g->dim);
	e = mem_alloc(g, (size_t) ncap * sizeof(snn_hnsw_mem_elem));
	if (g->cap)
	{
		memcpy(v, g->vectors, (size_t) g->n * (size_t) g->dim);
		memcpy(e, g->elems, (size_t) g->n * sizeof(snn_hnsw_mem_elem));
		g->release(g->mctx, g->vectors);
		g->release(g->mctx, g->elems);
		g->bytes -= (size_t) g->cap * ((size_t) g->dim + sizeof(snn_hnsw_mem_elem));
	}
	g->vectors = v;
	g->elems = e;
	g->cap = ncap;
}

/*
 * Add new as a neighbour of nb at layer lc, pruning nb's list when full.
 * With force, new replaces the farthest entry when the heuristic drops it,
 * so that every element keeps at least one way in.  True when new is kept.
 */
static bool
mem_link(snn_hnsw_mem *g, uint32_t nb, uint32_t new, int lc, bool force,
		 uint32_t *dropped, int *ndropped)
{
	snn_hnsw_mem_elem *e = &g->elems[nb];
	int			cap = snn_hnsw_layer_cap(lc, g->m);
	uint32_t   *s = e->nbrs + snn_hnsw_layer_start(lc, g->m);
	snn_hnsw_callbacks cb = mem_callbacks(g);
	snn_hnsw_cand c[2 * SNN_HNSW_MAX_M + 1];
	int			n = e->counts[lc],
				k;

	if (n < cap)
	{
		s[n] = new;
		e->counts[lc]++;
		return true;
	}
	for (int i = 0; i < n; i++)
	{
		c[i].id = s[i];
		c[i].dist = mem_dist_pair(g, nb, s[i]);
	}
	c[n].id = new;
	c[n].dist = mem_dist_pair(g, nb, new);
	snn_hnsw_sort(c, n + 1);
	k = snn_hnsw_select(&cb, c, n + 1, cap, c);
	for (int i = 0; i < k; i++)
	{
		if (c[i].id == new)
			break;
		if (i == k - 1)
		{
			if (!force)
				return false;
			/* the selection dropped new: it takes the last (farthest) place */
			c[k - 1].id = new;
		}
	}
	/* what the new list leaves out lost a way in: report it */
	for (int i = 0; i < n && dropped; i++)
	{
		bool		kept = false;

		for (int j = 0; j < k && !kept; j++)
			kept = c[j].id == s[i];
		if (!kept)
			dropped[(*ndropped)++] = s[i];
	}
	for (int i = 0; i < k; i++)
		s[i] = (uint32_t) c[i].id;
	e->counts[lc] = (uint8_t) k;
	return true;
}

uint32_t
snn_hnsw_mem_insert(snn_hnsw_mem *g, const uint8_t *vec, int level, bool *merged)
{
	snn_hnsw_callbacks cb = mem_callbacks(g);
	snn_hnsw_cand entry;
	snn_hnsw_cand *sel = g->buf2;
	int			nsel[SNN_HNSW_MAX_LEVEL + 1] = {0};
	int			top;
	uint32_t	id;
	snn_hnsw_mem_elem *e;

	*merged = false;
	if (level > g->maxlevel)
		level = g->maxlevel;
	g->query = vec;
	top = g->entry_level < level ? g->entry_level : level;

	if (g->n > 0)
	{
		int			nent = 1;
		snn_hnsw_cand *ents;

		entry.id = g->entry;
		entry.dist = snn_hnsw_distance(g->metric, vec, mem_vec(g, g->entry), (size_t) g->dim);
		snn_hnsw_descend(&cb, &g->work, &entry, g->entry_level, level, 2 * g->m);
		ents = &entry;
		for (int lc = top; lc >= 0; lc--)
		{
			int			cap = snn_hnsw_layer_cap(lc, g->m);
			int			nw = snn_hnsw_search_layer(&cb, &g->work, ents, nent,
												   g->ef_construction, lc, cap, g->buf1);

			if (lc == 0 && g->maxdup > 0)
			{
				for (int i = 0; i < nw && g->buf1[i].dist == 0; i++)
				{
					snn_hnsw_mem_elem *d = &g->elems[g->buf1[i].id];

					if (d->ndup < g->maxdup)
					{
						d->ndup++;
						*merged = true;
						return (uint32_t) g->buf1[i].id;
					}
				}
			}
			nsel[lc] = snn_hnsw_select(&cb, g->buf1, nw, cap,
									   sel + (size_t) lc * 2 * (size_t) g->m);
			/* the next layer starts from everything this one found */
			if (nw > 0)
			{
				ents = g->buf1;
				nent = nw;
			}
		}
	}

	mem_reserve(g);
	id = g->n++;
	memcpy(g->vectors + (size_t) id * (size_t) g->dim, vec, (size_t) g->dim);
	e = &g->elems[id];
	memset(e, 0, sizeof(*e));
	e->level = (uint8_t) level;
	e->nbrs = mem_alloc(g, sizeof(uint32_t) * (size_t) snn_hnsw_slots(level, g->m));
	for (int lc = 0; lc <= top && g->n > 1; lc++)
	{
		snn_hnsw_cand *s = sel + (size_t) lc * 2 * (size_t) g->m;
		uint32_t   *d = e->nbrs + snn_hnsw_layer_start(lc, g->m);

		for (int i = 0; i < nsel[lc]; i++)
			d[i] = (uint32_t) s[i].id;
		e->counts[lc] = (uint8_t) nsel[lc];
	}
	for (int lc = 0; lc <= top && g->n > 1; lc++)
	{
		snn_hnsw_cand *s = sel + (size_t) lc * 2 * (size_t) g->m;
		bool		linked = false;
		uint32_t	dropped[2 * SNN_HNSW_MAX_M * (2 * SNN_HNSW_MAX_M + 1)];
		int			ndropped = 0;

		for (int i = 0; i < nsel[lc]; i++)
			linked |= mem_link(g, (uint32_t) s[i].id, id, lc, false, dropped, &ndropped);
		/* no neighbour kept it: the nearest must, or it is unreachable */
		if (!linked && nsel[lc] > 0)
			(void) mem_link(g, (uint32_t) s[0].id, id, lc, true, dropped, &ndropped);
		/* elements the new one displaced may adopt it as a way in */
		for (int i = 0; i < ndropped; i++)
			if (dropped[i] != id)
				(void) mem_link(g, id, dropped[i], lc, false, NULL, NULL);
	}
	if (level > g->entry_level)
	{
		g->entry = id;
		g->entry_level = level;
	}
	return id;
}

int
snn_hnsw_mem_search(snn_hnsw_mem *g, const uint8_t *q, int k, int ef, snn_hnsw_cand *out)
{
	snn_hnsw_callbacks cb = mem_callbacks(g);
	snn_hnsw_cand entry;
	snn_hnsw_cand *w;
	int			n;

	if (g->n == 0 || k <= 0)
		return 0;
	if (ef < k)
		ef = k;
	g->query = q;
	entry.id = g->entry;
	entry.dist = snn_hnsw_distance(g->metric, q, mem_vec(g, g->entry), (size_t) g->dim);
	snn_hnsw_descend(&cb, &g->work, &entry, g->entry_level, 0, 2 * g->m);
	w = mem_alloc(g, sizeof(snn_hnsw_cand) * (size_t) ef);
	n = snn_hnsw_search_layer(&cb, &g->work, &entry, 1, ef, 0, 2 * g->m, w);
	if (n > k)
		n = k;
	memcpy(out, w, sizeof(snn_hnsw_cand) * (size_t) n);
	g->release(g->mctx, w);
	return n;
}

/*
 * Search layer lc of the graph for element x's own pattern with width ef,
 * the way a query does (greedy descent through the layers above, then one
 * layer search); the found elements go to out (ef of them at most).
 */
static int
mem_self_search(snn_hnsw_mem *g, uint32_t x, int lc, int ef, snn_hnsw_cand *out)
{
	snn_hnsw_callbacks cb = mem_callbacks(g);
	snn_hnsw_cand entry;

	g->query = mem_vec(g, x);
	entry.id = g->entry;
	entry.dist = snn_hnsw_distance(g->metric, g->query, mem_vec(g, g->entry), (size_t) g->dim);
	snn_hnsw_descend(&cb, &g->work, &entry, g->entry_level, lc, 2 * g->m);
	return snn_hnsw_search_layer(&cb, &g->work, &entry, 1, ef, lc,
								 snn_hnsw_layer_cap(lc, g->m), out);
}

/*
 * Give x a way in from where a search for it ends: the nearest found
 * element whose list at layer lc has a free slot links to x.  Only free
 * slots are used, so no link the build chose is given up.  True when a
 * link was added.
 */
static bool
mem_link_found(snn_hnsw_mem *g, uint32_t x, int lc, const snn_hnsw_cand *found, int nfound)
{
	int			cap = snn_hnsw_layer_cap(lc, g->m);

	for (int i = 0; i < nfound; i++)
	{
		snn_hnsw_mem_elem *e = &g->elems[found[i].id];
		uint32_t   *s = e->nbrs + snn_hnsw_layer_start(lc, g->m);
		bool		has = false;

		if (found[i].id == x || e->counts[lc] >= cap)
			continue;
		/* a found element that was not expanded may link to x already */
		for (int j = 0; j < e->counts[lc] && !has; j++)
			has = s[j] == x;
		if (has)
			continue;
		s[e->counts[lc]++] = x;
		return true;
	}
	return false;
}

/*
 * Mark in reach what layer lc reaches from start over out-links (breadth
 * first, queue has room for every element); returns how many it marked.
 */
static size_t
mem_reach(const snn_hnsw_mem *g, int lc, uint32_t start, uint8_t *reach, uint32_t *queue)
{
	size_t		head = 0,
				tail = 0;

	if (reach[start])
		return 0;
	reach[start] = 1;
	queue[tail++] = start;
	while (head < tail)
	{
		const snn_hnsw_mem_elem *e = &g->elems[queue[head++]];
		const uint32_t *s = e->nbrs + snn_hnsw_layer_start(lc, g->m);

		for (int j = 0; j < e->counts[lc]; j++)
			if (!reach[s[j]])
			{
				reach[s[j]] = 1;
				queue[tail++] = s[j];
			}
	}
	return tail;
}

/* In-links of every element at layer lc into indeg. */
static void
mem_indegree(const snn_hnsw_mem *g, int lc, uint32_t *indeg)
{
	memset(indeg, 0, sizeof(uint32_t) * g->n);
	for (uint32_t i = 0; i < g->n; i++)
	{
		const snn_hnsw_mem_elem *e = &g->elems[i];
		const uint32_t *s = e->nbrs + snn_hnsw_layer_start(lc, g->m);

		if (e->level < lc)
			continue;
		for (int j = 0; j < e->counts[lc]; j++)
			indeg[s[j]]++;
	}
}

/*
 * Link the unreachable x from a reachable element of found (nearest first)
 * at layer lc: the first with a free slot; else the nearest, in place of
 * its farthest neighbour that another element links to as well (whether
 * that one stays reachable, the next round checks).  True when linked.
 */
static bool
mem_link_reachable(snn_hnsw_mem *g, uint32_t x, int lc, const snn_hnsw_cand *found,
				   int nfound, const uint8_t *reach, uint32_t *indeg)
{
	int			cap = snn_hnsw_layer_cap(lc, g->m);

	for (int i = 0; i < nfound; i++)
	{
		snn_hnsw_mem_elem *e = &g->elems[found[i].id];

		if (!reach[found[i].id] || e->counts[lc] >= cap)
			continue;
		e->nbrs[snn_hnsw_layer_start(lc, g->m) + e->counts[lc]++] = x;
		indeg[x]++;
		return true;
	}
	for (int i = 0; i < nfound; i++)
	{
		uint32_t	r = (uint32_t) found[i].id;
		uint32_t   *s = g->elems[r].nbrs + snn_hnsw_layer_start(lc, g->m);
		int			far = -1;
		uint64_t	fard = 0;

		if (!reach[r])
			continue;
		for (int j = 0; j < g->elems[r].counts[lc]; j++)
		{
			uint64_t	d = mem_dist_pair(g, r, s[j]);

			if (indeg[s[j]] >= 2 && (far < 0 || d > fard))
			{
				far = j;
				fard = d;
			}
		}
		if (far < 0)
			continue;
		indeg[s[far]]--;
		s[far] = x;
		indeg[x]++;
		return true;
	}
	return false;
}

/*
 * Make every element of layer lc reachable from the entry point over
 * out-links: each element the breadth-first walk misses is linked from the
 * nearest reachable element a search for it finds (from the entry point
 * itself when the descent found none), then what it reaches is marked.
 * Rounds repeat while links given up may have cut something off.
 */
static snn_status
mem_reconnect(snn_hnsw_mem *g, int lc, int ef, snn_hnsw_cand *found, uint8_t *reach,
			  uint32_t *queue, uint32_t *indeg, snn_hnsw_repair_stats *st, snn_error *err)
{
	snn_hnsw_callbacks cb = mem_callbacks(g);

	for (int round = 0; round < 4; round++)
	{
		uint64_t	cut = 0;

		memset(reach, 0, g->n);
		mem_indegree(g, lc, indeg);
		(void) mem_reach(g, lc, g->entry, reach, queue);
		for (uint32_t x = 0; x < g->n; x++)
		{
			snn_hnsw_cand entry;
			int			nf;
			bool		any = false;

			if (g->elems[x].level < lc || reach[x])
				continue;
			cut++;
			nf = mem_self_search(g, x, lc, ef, found);
			for (int i = 0; i < nf && !any; i++)
				any = reach[found[i].id];
			if (!any)
			{
				entry.id = g->entry;
				entry.dist = mem_dist_pair(g, x, g->entry);
				nf = snn_hnsw_search_layer(&cb, &g->work, &entry, 1, ef, lc,
										   snn_hnsw_layer_cap(lc, g->m), found);
			}
			if (mem_link_reachable(g, x, lc, found, nf, reach, indeg))
			{
				st->reconnected++;
				(void) mem_reach(g, lc, x, reach, queue);
			}
			if (snn_interrupted((uint64_t) (ef + g->n / 64) * (uint64_t) g->dim))
				return snn_cancelled(err);
		}
		if (round == 0)
			st->unreachable += cut;
		if (cut == 0)
			return SNN_OK;
	}
	memset(reach, 0, g->n);
	st->left += g->n - mem_reach(g, lc, g->entry, reach, queue);
	for (uint32_t x = 0; x < g->n; x++)
		st->left -= g->elems[x].level < lc;
	return SNN_OK;
}

/* The self-search pass of snn_hnsw_mem_repair: links from free slots. */
static snn_status
mem_refind(snn_hnsw_mem *g, int ef, snn_hnsw_cand *found, snn_hnsw_repair_stats *st,
		   snn_error *err)
{
	for (uint32_t x = 0; x < g->n; x++)
	{
		for (int lc = 0; lc <= g->elems[x].level && lc <= g->entry_level; lc++)
		{
			uint64_t	before = g->work.distances;
			int			nf = mem_self_search(g, x, lc, ef, found);
			bool		hit = false;

			for (int i = 0; i < nf && !hit; i++)
				hit = found[i].id == x;
			st->searched++;
			if (!hit)
			{
				st->missed++;
				if (mem_link_found(g, x, lc, found, nf))
					st->linked++;
			}
			if (snn_interrupted((g->work.distances - before + 1) * (uint64_t) g->dim))
				return snn_cancelled(err);
		}
	}
	return SNN_OK;
}

snn_status
snn_hnsw_mem_repair(snn_hnsw_mem *g, int ef, snn_hnsw_repair_stats *st, snn_error *err)
{
	snn_hnsw_cand *found;
	uint8_t    *reach;
	uint32_t   *queue;
	uint32_t   *indeg;
	snn_status	rc = SNN_OK;

	memset(st, 0, sizeof(*st));
	if (g->n < 2 || ef < 1)
		return SNN_OK;
	found = mem_alloc(g, sizeof(snn_hnsw_cand) * (size_t) ef);
	reach = mem_alloc(g, g->n);
	queue = mem_alloc(g, sizeof(uint32_t) * g->n);
	indeg = mem_alloc(g, sizeof(uint32_t) * g->n);
	rc = mem_refind(g, ef, found, st, err);
	for (int lc = 0; lc <= g->entry_level && rc == SNN_OK; lc++)
		rc = mem_reconnect(g, lc, ef, found, reach, queue, indeg, st, err);
	g->release(g->mctx, found);
	g->release(g->mctx, reach);
	g->release(g->mctx, queue);
	g->release(g->mctx, indeg);
	return rc;
}

void
snn_hnsw_mem_free(snn_hnsw_mem *g)
{
	snn_hnsw_callbacks cb = mem_callbacks(g);

	for (uint32_t i = 0; i < g->n; i++)
		g->release(g->mctx, g->elems[i].nbrs);
	if (g->vectors)
		g->release(g->mctx, g->vectors);
	if (g->elems)
		g->release(g->mctx, g->elems);
	if (g->buf1)
		g->release(g->mctx, g->buf1);
	if (g->buf2)
		g->release(g->mctx, g->buf2);
	snn_hnsw_work_free(&g->work, &cb);
	memset(g, 0, sizeof(*g));
}
