/*
 * snn_detector_order.c: a stream state in the other byte order: every
 * number of the state (head, member sections, level-change section)
 * reversed in place, so that a state exported by a big-endian server
 * continues on a little-endian one and the other way round.
 *
 * Part of the streaming anomaly detector (snn_detector.h for the algorithm,
 * snn_detector_int.h for the state layout the parts share).
 */
#include "snn_detector_int.h"

/* Reverse the bytes of n elements of w bytes from p. */
static void
swap_n(void *p, size_t w, size_t n)
{
	unsigned char *b = p;

	for (size_t e = 0; e < n; e++, b += w)
		for (size_t j = 0; j < w / 2; j++)
		{
			unsigned char t = b[j];

			b[j] = b[w - 1 - j];
			b[w - 1 - j] = t;
		}
}

#define SWAP_FIELD(h, f) \
	swap_n(&(h)->f, sizeof((h)->f[0]), sizeof((h)->f) / sizeof((h)->f[0]))
#define SWAP_ONE(h, f) swap_n(&(h)->f, sizeof((h)->f), 1)

/* The head of a member: each field at its own width. */
static void
swap_head(det_head *h)
{
	SWAP_ONE(h, magic);
	SWAP_ONE(h, version);
	SWAP_ONE(h, size);
	SWAP_ONE(h, cfg_hash);
	SWAP_ONE(h, rng);
	SWAP_ONE(h, events);
	SWAP_ONE(h, last_ts);
	SWAP_ONE(h, refractory_left);
	SWAP_ONE(h, short_pos);
	SWAP_ONE(h, short_count);
	SWAP_ONE(h, mem_pos);
	SWAP_ONE(h, mem_count);
	SWAP_ONE(h, calib_pos);
	SWAP_ONE(h, calib_count);
	SWAP_ONE(h, winner);
	SWAP_ONE(h, last_spikes);
	SWAP_ONE(h, pad);
	SWAP_FIELD(h, short_sum);
	SWAP_FIELD(h, lmean);
	SWAP_FIELD(h, lvar);
	SWAP_FIELD(h, lcount);
	SWAP_ONE(h, last_score);
	SWAP_ONE(h, alarm_adapt);
	SWAP_ONE(h, x_norm);
	SWAP_ONE(h, smem_pos);
	SWAP_ONE(h, smem_count);
}

/* Reverse w-byte elements of one section of a member. */
#define SWAP_SEC(m, L, off, w, n) swap_n((char *) (m) + (L)->off, (w), (n))

/* Every numeric section of a member (the byte arrays stay as they are). */
static void
swap_member(const det_layout *L, void *m)
{
	size_t		nk = (size_t) L->n * L->k,
				nkin = (size_t) L->n * L->kin;

	SWAP_SEC(m, L, off_norm, 8, (size_t) L->nf * 7);
	SWAP_SEC(m, L, off_v, 4, L->n);
	SWAP_SEC(m, L, off_a, 4, L->n);
	SWAP_SEC(m, L, off_tr, 4, L->n);
	/* the fan-in block (snn_fanin.h) */
	SWAP_SEC(m, L, off_ridx, 2, nk);
	SWAP_SEC(m, L, off_rw, 4, nk);
	SWAP_SEC(m, L, off_rptr, 4, (size_t) L->n + 1);
	SWAP_SEC(m, L, off_rslot, 4, nk);
	SWAP_SEC(m, L, off_rpost, 2, nk);
	SWAP_SEC(m, L, off_iidx, 2, nkin);
	SWAP_SEC(m, L, off_iw, 4, nkin);
	/* readout, memories, rings */
	SWAP_SEC(m, L, off_w, 4, (size_t) L->nx * L->nval);
	SWAP_SEC(m, L, off_x, 4, L->nx);
	SWAP_SEC(m, L, off_yhat, 4, L->nval);
	SWAP_SEC(m, L, off_sevent, 8, L->nsm);
	SWAP_SEC(m, L, off_short, 8, (size_t) N_SIGNALS * L->ns);
	SWAP_SEC(m, L, off_calib, 4, (size_t) N_SIGNALS * L->nc);
}

/* The level-change section (snn_detector_level.c), when on. */
static void
swap_level(const snn_detector_config *c, const det_layout *L, void *state)
{
	char	   *p = (char *) state + L->off_level;
	size_t		nch = (size_t) L->nf + 1;
	det_level_head *hd = (det_level_head *) p;

	if (c->score_level <= 0)
		return;
	SWAP_ONE(hd, short_pos);
	SWAP_ONE(hd, short_count);
	SWAP_ONE(hd, calib_pos);
	SWAP_ONE(hd, calib_count);
	SWAP_ONE(hd, fis_pos);
	SWAP_ONE(hd, fis_count);
	SWAP_ONE(hd, fisher_sum);
	p += align64(sizeof(det_level_head));
	swap_n(p, 8, nch * c->score_level);
	p += align64(sizeof(double) * nch * c->score_level);
	swap_n(p, 8, nch * 3);
	p += align64(sizeof(double) * nch * 3);
	swap_n(p, 4, L->nc);
	p += align64(sizeof(float) * L->nc);
	swap_n(p, 8, (size_t) L->ns * c->score_level);
}

snn_status
snn_detector_state_swap(const snn_detector_config *cfg, void *state,
						size_t state_size, int to_host, snn_error *err)
{
	det_layout	L;
	snn_status	st;
	uint64_t	here = det_config_hash_order(cfg, 0),
				there = det_config_hash_order(cfg, 1);

	if ((st = snn_detector_validate(cfg, err)) != SNN_OK)
		return st;
	det_layout_of(cfg, &L);
	if (state == NULL || state_size != L.total)
		return snn_fail(err, SNN_E_FORMAT, "state",
						"detector state of %zu bytes, configuration needs %zu",
						state_size, L.total);
	for (int m = 0; m < L.nens; m++)
	{
		det_head   *h = (det_head *) MEMBER(state, L, m);

		/* the hash is of the configuration's bytes in each server's order */
		if (!to_host && h->cfg_hash == here)
			h->cfg_hash = there;
		swap_head(h);
		if (to_host && h->cfg_hash == there)
			h->cfg_hash = here;
		swap_member(&L, h);
	}
	swap_level(cfg, &L, state);
	return SNN_OK;
}
