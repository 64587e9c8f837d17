/*
 * snn_hnsw_graph.h: the search core of a hierarchical navigable small world
 * graph (Malkov and Yashunin, 2016), independent of where the graph lives.
 *
 * Elements are opaque 64-bit ids; the caller supplies callbacks that give the
 * distance from the current query to an element, the neighbours of an
 * element at a layer, and the distance between two elements.  The same code
 * therefore searches the in-memory graph of an index build (ids are array
 * positions) and the on-disk graph of the snn_hnsw access method (ids are
 * packed item pointers).  Distances are exact integers (squared L2 or L1 of
 * byte patterns); ties are broken by id, so every search is deterministic.
 *
 * An in-memory graph (snn_hnsw_mem) is provided as well: it is what an index
 * build fills before writing pages, and what the unit tests measure recall
 * on.  Plain C11: memory comes from caller callbacks, never from the engine.
 */
#ifndef SNN_HNSW_GRAPH_H
#define SNN_HNSW_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snn_status.h"

#define SNN_HNSW_NO_ID		UINT64_MAX
#define SNN_HNSW_MAX_LEVEL	16	/* highest layer an element can get */
#define SNN_HNSW_MIN_M		2
#define SNN_HNSW_MAX_M		64	/* 2m slots at layer 0 fit in a uint8 count */

typedef enum snn_hnsw_metric
{
	SNN_HNSW_L2 = 1,			/* squared L2 compared, <-> answers sqrt */
	SNN_HNSW_L1 = 2
} snn_hnsw_metric;

/* A candidate: an element and its distance to the query (or base). */
typedef struct snn_hnsw_cand
{
	uint64_t	id;
	uint64_t	dist;
} snn_hnsw_cand;

/* What the search needs to know about the graph and the query. */
typedef struct snn_hnsw_callbacks
{
	void	   *ctx;

	/*
	 * Distance from the query to id.  *live is set false for an element that
	 * may be traversed but must not be returned (all its rows deleted).
	 */
	uint64_t	(*dist_query) (void *ctx, uint64_t id, bool *live);
	/* Neighbours of id at layer, at most cap of them written to out. */
	int			(*neighbors) (void *ctx, uint64_t id, int layer, uint64_t *out, int cap);
	/* Distance between two elements (neighbour selection only). */
	uint64_t	(*dist_pair) (void *ctx, uint64_t a, uint64_t b);
	/* Memory for work areas; alloc must not return NULL (raise instead). */
	void	   *(*alloc) (void *ctx, size_t size);
	void		(*release) (void *ctx, void *p);

	/*
	 * Optional (NULL: dist_query one at a time): distances from the query to
	 * n elements at once, so that their memory can be fetched together. Used
	 * for the unvisited neighbours of an element by every search.
	 */
	void		(*dist_batch) (void *ctx, const uint64_t *ids, int n,
							   uint64_t *dist, bool *live);

	/*
	 * Optional (NULL: none): a hint that the neighbours of id will probably
	 * be read next, so that their memory can be fetched meanwhile.
	 */
	void		(*prefetch) (void *ctx, uint64_t id);
} snn_hnsw_callbacks;

/*
 * Reusable work area of a search: two heaps and a visited set.  Zero it once,
 * then pass it to every search; snn_hnsw_work_free returns its memory.
 */
typedef struct snn_hnsw_work
{
	snn_hnsw_cand *cand;		/* min-heap of candidates to expand */
	int			ncand;
	int			capcand;
	snn_hnsw_cand *best;		/* max-heap of the ef best live elements */
	int			nbest;
	int			capbest;
	uint64_t   *visited;		/* open addressing set, SNN_HNSW_NO_ID empty */
	size_t		nvisited;
	size_t		capvisited;		/* a power of two */
	uint64_t   *nbuf;			/* neighbour ids of one element */
	uint64_t   *ndist;			/* their distances (capnbuf too) */
	bool	   *nlive;			/* and liveness */
	int			capnbuf;
	uint64_t	distances;		/* distance evaluations, for statistics */
} snn_hnsw_work;

/* Free the arrays of a work area through the callbacks. */
void		snn_hnsw_work_free(snn_hnsw_work *w, const snn_hnsw_callbacks *cb);

/*
 * Search one layer from the entries (with their distances), keeping the ef
 * nearest live elements.  Writes them to out in increasing (dist, id) order
 * and returns their number (at most ef).  maxdeg bounds the neighbours of any
 * element at this layer.
 */
int			snn_hnsw_search_layer(const snn_hnsw_callbacks *cb, snn_hnsw_work *w,
								  const snn_hnsw_cand *entries, int nentries,
								  int ef, int layer, int maxdeg, snn_hnsw_cand *out);

/*
 * Greedy descent from the entry point through layers top..stop+1 with ef 1;
 * returns the closest element found (live or not, so the descent can go on)
 * with its distance in *entry.
 */
void		snn_hnsw_descend(const snn_hnsw_callbacks *cb, snn_hnsw_work *w,
							 snn_hnsw_cand *entry, int top, int stop, int maxdeg);

/*
 * Neighbour selection heuristic: from candidates sorted by (dist, id) to a
 * base element, keep c unless an already kept r is closer to c than the base
 * is (hnswlib's rule), or r is an exact duplicate of c (distance 0), which
 * keeps runs of identical patterns from filling every slot.  Writes at most
 * m kept candidates to out (may alias cands) and returns their number.
 */
int			snn_hnsw_select(const snn_hnsw_callbacks *cb, const snn_hnsw_cand *cands,
							int ncands, int m, snn_hnsw_cand *out);

/* Sort candidates by (dist, id). */
void		snn_hnsw_sort(snn_hnsw_cand *c, int n);

/*
 * Level of a new element from a uniform u in (0, 1]: floor(-ln(u) / ln(m)),
 * capped at maxlevel.
 */
int			snn_hnsw_random_level(double u, int m, int maxlevel);

/* Distance between two patterns under a metric (squared L2 or L1). */
uint64_t	snn_hnsw_distance(snn_hnsw_metric metric, const uint8_t *a,
							  const uint8_t *b, size_t dim);

/* Neighbour slots of an element of level l: 2m at layer 0, m above. */
static inline int
snn_hnsw_slots(int level, int m)
{
	return 2 * m + level * m;
}

/* First slot of layer lc. */
static inline int
snn_hnsw_layer_start(int lc, int m)
{
	return lc == 0 ? 0 : 2 * m + (lc - 1) * m;
}

/* Slots at layer lc. */
static inline int
snn_hnsw_layer_cap(int lc, int m)
{
	return lc == 0 ? 2 * m : m;
}

/* ---- a resumable search of one layer (iterative index scans) ---- */

/*
 * A search that hands out elements one at a time and can go on as long as
 * the caller asks.  Element i is given out once the candidates nearer than
 * the width-th nearest not yet given out have all been expanded.  The width
 * starts at ef, so the first element is exactly the best of
 * snn_hnsw_search_layer with the same ef; element i then has the lookahead of
 * a search of width ef + i, and more when widen asks the width itself to grow
 * by widen_by every widen elements given out, once more than widen_after
 * have been (it then jumps to the width it would have had widening from the
 * first; up to ef + SNN_HNSW_ITER_MAX_WIDEN): a deep scan, such as one whose
 * rows a filter mostly rejects, then walks a wider front and finds fewer
 * elements out of order, while a shallow one (LIMIT 10 at ef 40) pays
 * nothing for it.  Elements come out nearly in (dist, id) order; one found late can be nearer than
 * one already given out (the caller decides whether to skip it).  Nothing
 * found is dropped, so the search ends only when every element reachable
 * from the entry has been given out (dead ones are walked, never given).
 */
typedef struct snn_hnsw_iter
{
	snn_hnsw_work w;			/* cand: every unexpanded element; visited */
	snn_hnsw_cand *win;			/* the ef nearest not given out, sorted */
	int			winstart;		/* first used slot of win */
	int			nwin;
	int			capwin;
	snn_hnsw_cand *over;		/* min-heap of the others not given out */
	int			nover;
	size_t		capover;
	int			ef;
	int			width;			/* lookahead now: ef, growing with widen */
	int			widen;			/* widen_by more lookahead every widen given
								 * (0: never) */
	int			widen_by;		/* 1 unless the caller sets it */
	uint64_t	widen_after;	/* given out before widening starts (0) */
	int			layer;
	int			maxdeg;
	uint64_t   *bdist;			/* distances of one batch of neighbours */
	bool	   *blive;
	uint64_t	expanded;		/* elements whose neighbours were read */
	uint64_t	given;			/* elements given out */
} snn_hnsw_iter;

#define SNN_HNSW_ITER_MAX_WIDEN	1000	/* the lookahead grows at most this
										 * beyond ef */

typedef enum snn_hnsw_iter_result
{
	SNN_HNSW_ITER_FOUND,		/* *out holds the next element */
	SNN_HNSW_ITER_DONE,			/* every reachable live element given out */
	SNN_HNSW_ITER_PAUSED		/* budget of expansions spent: call again */
} snn_hnsw_iter_result;

/* Start a resumable search at one entry (with its distance); widen is 0. */
void		snn_hnsw_iter_start(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it,
								const snn_hnsw_cand *entry, int ef, int layer,
								int maxdeg);

/*
 * The next element, expanding at most budget elements first; PAUSED when the
 * budget runs out before one is ready, so the caller can check for
 * interrupts and memory between calls.
 */
snn_hnsw_iter_result snn_hnsw_iter_next(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it,
										int budget, snn_hnsw_cand *out);

/* Bytes the search holds now (its arrays), for a memory bound. */
size_t		snn_hnsw_iter_bytes(const snn_hnsw_iter *it);

/* Free the arrays of a search. */
void		snn_hnsw_iter_free(const snn_hnsw_callbacks *cb, snn_hnsw_iter *it);

/* ---- the in-memory graph of a build ---- */

typedef struct snn_hnsw_mem_elem
{
	uint8_t		level;
	uint8_t		ndup;			/* extra rows merged into this element */
	uint8_t		counts[SNN_HNSW_MAX_LEVEL + 1]; /* used slots per layer */
	uint32_t   *nbrs;			/* snn_hnsw_slots(level, m) ids */
} snn_hnsw_mem_elem;

typedef struct snn_hnsw_mem
{
	snn_hnsw_metric metric;
	int			dim;
	int			m;
	int			ef_construction;
	int			maxlevel;
	int			maxdup;			/* rows an element may hold beyond the first */
	uint32_t	n;				/* elements */
	uint32_t	cap;
	uint8_t    *vectors;		/* cap * dim bytes */
	snn_hnsw_mem_elem *elems;
	uint32_t	entry;			/* UINT32_MAX while empty */
	int			entry_level;
	size_t		bytes;			/* memory held, for maintenance_work_mem */
	/* memory, from the caller */
	void	   *mctx;
	void	   *(*alloc) (void *ctx, size_t size);
	void		(*release) (void *ctx, void *p);
	/* private search state */
	const uint8_t *query;
	snn_hnsw_work work;
	snn_hnsw_cand *buf1;
	snn_hnsw_cand *buf2;
} snn_hnsw_mem;

/* Prepare an empty graph; validates m, ef_construction and dim. */
snn_status	snn_hnsw_mem_init(snn_hnsw_mem *g, snn_hnsw_metric metric, int dim,
							  int m, int ef_construction, int maxlevel, int maxdup,
							  void *mctx, void *(*alloc) (void *, size_t),
							  void (*release) (void *, void *), snn_error *err);

/*
 * Insert a pattern at the given level.  When an element with an identical
 * pattern exists and still has room (ndup < maxdup), the row is merged into
 * it: *merged is set and its id returned.  Otherwise the new element's id.
 */
uint32_t	snn_hnsw_mem_insert(snn_hnsw_mem *g, const uint8_t *vec, int level, bool *merged);

/* The k nearest elements to q with search width ef; returns their number. */
int			snn_hnsw_mem_search(snn_hnsw_mem *g, const uint8_t *q, int k, int ef,
								snn_hnsw_cand *out);

/* What a repair of the graph found and did. */
typedef struct snn_hnsw_repair_stats
{
	uint64_t	searched;		/* self-searches (one per element and layer) */
	uint64_t	missed;			/* of them, not finding their element */
	uint64_t	linked;			/* links added for those */
	uint64_t	unreachable;	/* elements of a layer its entry point did not
								 * reach over out-links, after the searches */
	uint64_t	reconnected;	/* links added for those */
	uint64_t	left;			/* elements still unreachable at the end */
} snn_hnsw_repair_stats;

/*
 * Repair what a greedy search cannot find, after the graph is built: every
 * element is searched for on each of its layers as a query would (width
 * ef); when the search misses it, the nearest element the search found that
 * has a free slot at that layer links to it.  Free slots only: no link the
 * build chose is given up, and the elements searched later profit from the
 * links already added.  Then every layer is walked breadth first from the
 * entry point over out-links, and an element the walk does not reach is
 * linked from the nearest reachable element a search for it finds (a free
 * slot, else in place of its farthest neighbour that has another way in),
 * in rounds until the walk reaches every element (or 4 rounds).
 * SNN_E_CANCELLED when the interrupt hook asks.
 */
snn_status	snn_hnsw_mem_repair(snn_hnsw_mem *g, int ef, snn_hnsw_repair_stats *st,
								snn_error *err);

/* Free everything the graph holds. */
void		snn_hnsw_mem_free(snn_hnsw_mem *g);

#endif							/* SNN_HNSW_GRAPH_H */
