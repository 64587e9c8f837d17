/*
 * hnsw_island.c: how many stored patterns an in-memory snn_hnsw graph fails
 * to find when searching for themselves (islands of layer 0), and how often
 * a jittered fact's exact nearest row is among the k the graph returns.
 *
 * Reads n * 128 bytes of patterns and f * 128 bytes of facts (hnsw_island.sh
 * makes them with hnsw_bench.py's generator), builds the graph with the
 * index's defaults (m 16, ef_construction 64), repairs it when given a
 * repair ef (snn_hnsw_mem_repair, as CREATE INDEX does at ef 16), counts the
 * elements the entry point cannot reach on layer 0 and prints figures;
 * never pass/fail.  The self-searches are every (n / sample)-th row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snn_hnsw_graph.h"
#include "snn_random.h"

/* malloc for the graph; aborts when out of memory (a bench). */
static void *
xalloc(void *ctx, size_t size)
{
	void	   *p = malloc(size ? size : 1);

	(void) ctx;
	if (!p)
	{
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	return p;
}

/* free for the graph. */
static void
xfree(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

/* Read a whole file of bytes. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	uint8_t    *b;

	if (!f)
	{
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*len = (size_t) ftell(f);
	fseek(f, 0, SEEK_SET);
	b = xalloc(NULL, *len);
	if (fread(b, 1, *len, f) != *len)
		exit(1);
	fclose(f);
	return b;
}

/*
 * Mark in reach[] the elements reachable from the entry point on layer 0
 * over out-links (breadth first); returns their number.
 */
static size_t
reach_layer0(const snn_hnsw_mem *g, uint8_t *reach)
{
	uint32_t   *queue = xalloc(NULL, sizeof(uint32_t) * (g->n ? g->n : 1));
	size_t		head = 0,
				tail = 0;

	memset(reach, 0, g->n);
	if (g->n == 0)
		return 0;
	reach[g->entry] = 1;
	queue[tail++] = g->entry;
	while (head < tail)
	{
		const snn_hnsw_mem_elem *e = &g->elems[queue[head++]];

		for (int j = 0; j < e->counts[0]; j++)
			if (!reach[e->nbrs[j]])
			{
				reach[e->nbrs[j]] = 1;
				queue[tail++] = e->nbrs[j];
			}
	}
	free(queue);
	return tail;
}

/* Elements no other element links to on layer 0. */
static size_t
orphans_layer0(const snn_hnsw_mem *g)
{
	uint8_t    *in = xalloc(NULL, g->n ? g->n : 1);
	size_t		n = 0;

	memset(in, 0, g->n);
	for (uint32_t i = 0; i < g->n; i++)
		for (int j = 0; j < g->elems[i].counts[0]; j++)
			in[g->elems[i].nbrs[j]] = 1;
	for (uint32_t i = 0; i < g->n; i++)
		n += in[i] == 0 && i != g->entry;
	free(in);
	return n;
}

/* Seconds of wall-clock time. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(int argc, char **argv)
{
	int			dim = 128,
				m = 16,
				efc = 64,
				k = 16;
	size_t		nb,
				nf;
	uint8_t    *data,
			   *facts;
	size_t		n,
				nfacts;
	snn_hnsw_mem g;
	snn_error	err;
	uint64_t	rs = 42;
	snn_hnsw_cand *out;
	double		t0;
	int			efs[] = {40, 100};
	size_t		step;
	uint8_t    *reach;
	int			repair_ef;

	if (argc < 3)
	{
		fprintf(stderr, "usage: hnsw_island data.bin facts.bin [self_sample [repair_ef]]\n");
		return 2;
	}
	data = slurp(argv[1], &nb);
	facts = slurp(argv[2], &nf);
	n = nb / (size_t) dim;
	nfacts = nf / (size_t) dim;
	step = argc > 3 ? n / (size_t) atol(argv[3]) : 1;
	if (step < 1)
		step = 1;
	repair_ef = argc > 4 ? atoi(argv[4]) : 0;
	snn_error_clear(&err);
	if (snn_hnsw_mem_init(&g, SNN_HNSW_L2, dim, m, efc, SNN_HNSW_MAX_LEVEL, 0, NULL,
						  xalloc, xfree, &err) != SNN_OK)
		return 1;
	t0 = now();
	for (size_t i = 0; i < n; i++)
	{
		bool		merged;
		double		u = 1.0 - (double) (snn_splitmix64_mix(rs += SNN_GOLDEN_GAMMA) >> 11) * SNN_RAND_DOUBLE_UNIT;

		(void) snn_hnsw_mem_insert(&g, data + i * (size_t) dim,
								   snn_hnsw_random_level(u, m, SNN_HNSW_MAX_LEVEL), &merged);
	}
	printf("rows %zu build %.1f s\n", n, now() - t0);
	if (repair_ef > 0)
	{
		snn_hnsw_repair_stats st;

		t0 = now();
		if (snn_hnsw_mem_repair(&g, repair_ef, &st, &err) != SNN_OK)
			return 1;
		printf("repair at ef %d: %.1f s; %llu self-searches, %llu missed, %llu links added\n",
			   repair_ef, now() - t0, (unsigned long long) st.searched,
			   (unsigned long long) st.missed, (unsigned long long) st.linked);
	}
	{
		size_t		used0 = 0,
					full0 = 0;

		for (size_t i = 0; i < n; i++)
		{
			used0 += g.elems[i].counts[0];
			full0 += g.elems[i].counts[0] == 2 * m;
		}
		printf("layer 0: %.1f of %d slots used on average, %zu full lists\n",
			   (double) used0 / (double) n, 2 * m, full0);
	}
	reach = xalloc(NULL, n ? n : 1);
	printf("layer 0: %zu of %zu unreachable from the entry point over out-links; %zu with no in-link\n",
		   n - reach_layer0(&g, reach), n, orphans_layer0(&g));
	out = xalloc(NULL, sizeof(snn_hnsw_cand) * 1000);
	for (int e = 0; e < 2; e++)
	{
		size_t		miss = 0,
					missreach = 0,
					tried = 0,
					hit = 0;
		double		t1 = now();

		for (size_t i = 0; i < n; i += step)
		{
			int			r = snn_hnsw_mem_search(&g, data + i * (size_t) dim, 1, efs[e], out);

			tried++;
			if (r < 1 || out[0].dist != 0)
			{
				miss++;
				missreach += reach[i];
			}
		}
		for (size_t f = 0; f < nfacts; f++)
		{
			const uint8_t *q = facts + f * (size_t) dim;
			uint64_t	best = UINT64_MAX;
			int			r = snn_hnsw_mem_search(&g, q, k, efs[e], out);

			for (size_t i = 0; i < n; i++)
			{
				uint64_t	d = snn_hnsw_distance(SNN_HNSW_L2, q, data + i * (size_t) dim, (size_t) dim);

				if (d < best)
					best = d;
			}
			if (r > 0 && out[0].dist == best)
				hit++;
		}
		printf("ef %d: self not found %zu of %zu (%.4f; %zu of them reachable on layer 0); facts nearest found %zu of %zu (%.3f); %.1f s\n",
			   efs[e], miss, tried, (double) miss / (double) tried, missreach, hit, nfacts,
			   (double) hit / (double) (nfacts ? nfacts : 1), now() - t1);
	}
	snn_hnsw_mem_free(&g);
	free(reach);
	return 0;
}
