/*
 * test_detector_order.c: a detector state in the other byte order
 * (snn_detector_state_swap): every number reversed at its own width (the
 * head's fields, each member's sections, the level-change section), the
 * configuration hash translated, the byte arrays untouched, and the state
 * converted back is the same bytes and goes on scoring.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_detector_int.h"
#include "unit.h"

/* True when the w bytes at a are those at b reversed. */
static int
reversed(const void *a, const void *b, size_t w)
{
	const unsigned char *x = a,
			   *y = b;

	for (size_t j = 0; j < w; j++)
		if (x[j] != y[w - 1 - j])
			return 0;
	return 1;
}

/* Element i of width w of the section at off of member m. */
static const void *
at(const void *st, const det_layout *L, int m, size_t off, size_t w, size_t i)
{
	return (const char *) st + (size_t) m * L->size + off + w * i;
}

static void
test_swap(void)
{
	snn_detector_config cfg;
	snn_error	err;
	det_layout	L;
	void	   *st,
			   *sw;
	size_t		sz;
	double		score;

	CHECK(snn_detector_config_default(SNN_PRESET_GENERIC, &cfg, &err) == SNN_OK);
	cfg.res_neurons = 40;
	cfg.res_ensemble = 2;
	cfg.score_signals = 3;
	cfg.score_level = 8;
	cfg.learn_stdp = 1;
	CHECK(snn_detector_validate(&cfg, &err) == SNN_OK);
	sz = snn_detector_state_size(&cfg);
	st = aligned_alloc(64, (sz + 63) & ~(size_t) 63);
	sw = aligned_alloc(64, (sz + 63) & ~(size_t) 63);
	CHECK(snn_detector_init(&cfg, st, sz, 3, &err) == SNN_OK);
	for (int i = 0; i < 400; i++)
	{
		double		x = 10.0 + sin(i / 7.0) + (i == 350 ? 9.0 : 0.0);

		CHECK(snn_detector_step(&cfg, st, &x, 1, (int64_t) i * 60000000, &score,
								NULL, &err) == SNN_OK);
	}
	det_layout_of(&cfg, &L);
	memcpy(sw, st, sz);
	CHECK(snn_detector_state_swap(&cfg, sw, sz, 0, &err) == SNN_OK);
	CHECK(snn_detector_state_swap(&cfg, sw, sz - 1, 0, &err) == SNN_E_FORMAT);
	/* a state of the other byte order is not one of this machine's */
	CHECK(snn_detector_check_state(&cfg, sw, sz, &err) == SNN_E_FORMAT);
	for (int m = 0; m < L.nens; m++)
	{
		const det_head *a = at(st, &L, m, 0, 1, 0),
				   *b = at(sw, &L, m, 0, 1, 0);
		uint64_t	there = det_config_hash_order(&cfg, 1);

		CHECK(reversed(&a->magic, &b->magic, 4) && reversed(&a->events, &b->events, 8) &&
			  reversed(&a->short_sum[1], &b->short_sum[1], 8) &&
			  reversed(&a->smem_count, &b->smem_count, 4) &&
			  reversed(&a->x_norm, &b->x_norm, 8));
		/* the hash a server of the other order computes for the same config */
		CHECK(reversed(&there, &b->cfg_hash, 8));
		CHECK(reversed(at(st, &L, m, L.off_norm, 8, 3), at(sw, &L, m, L.off_norm, 8, 3), 8));
		CHECK(reversed(at(st, &L, m, L.off_v, 4, 5), at(sw, &L, m, L.off_v, 4, 5), 4));
		CHECK(reversed(at(st, &L, m, L.off_tr, 4, 39), at(sw, &L, m, L.off_tr, 4, 39), 4));
		CHECK(reversed(at(st, &L, m, L.off_ridx, 2, 7), at(sw, &L, m, L.off_ridx, 2, 7), 2));
		CHECK(reversed(at(st, &L, m, L.off_rw, 4, 7), at(sw, &L, m, L.off_rw, 4, 7), 4));
		CHECK(reversed(at(st, &L, m, L.off_rptr, 4, 40), at(sw, &L, m, L.off_rptr, 4, 40), 4));
		CHECK(reversed(at(st, &L, m, L.off_rslot, 4, 9), at(sw, &L, m, L.off_rslot, 4, 9), 4));
		CHECK(reversed(at(st, &L, m, L.off_rpost, 2, 9), at(sw, &L, m, L.off_rpost, 2, 9), 2));
		CHECK(reversed(at(st, &L, m, L.off_iidx, 2, 1), at(sw, &L, m, L.off_iidx, 2, 1), 2));
		CHECK(reversed(at(st, &L, m, L.off_iw, 4, 1), at(sw, &L, m, L.off_iw, 4, 1), 4));
		CHECK(reversed(at(st, &L, m, L.off_w, 4, 11), at(sw, &L, m, L.off_w, 4, 11), 4));
		CHECK(reversed(at(st, &L, m, L.off_x, 4, 2), at(sw, &L, m, L.off_x, 4, 2), 4));
		CHECK(reversed(at(st, &L, m, L.off_yhat, 4, 2), at(sw, &L, m, L.off_yhat, 4, 2), 4));
		CHECK(reversed(at(st, &L, m, L.off_short, 8, 1), at(sw, &L, m, L.off_short, 8, 1), 8));
		CHECK(reversed(at(st, &L, m, L.off_calib, 4, 3), at(sw, &L, m, L.off_calib, 4, 3), 4));
		if (L.nsm > 0)
			CHECK(reversed(at(st, &L, m, L.off_sevent, 8, 0), at(sw, &L, m, L.off_sevent, 8, 0), 8));
		/* byte arrays as they were */
		CHECK(memcmp(at(st, &L, m, L.off_cnt, 1, 0), at(sw, &L, m, L.off_cnt, 1, 0), L.n) == 0);
		CHECK(memcmp(at(st, &L, m, L.off_mem, 1, 0), at(sw, &L, m, L.off_mem, 1, 0),
					 (size_t) L.nm * L.n) == 0);
	}
	/* the level-change head: int32 fields, then a double */
	{
		const det_level_head *a = (const det_level_head *) ((char *) st + L.off_level),
				   *b = (const det_level_head *) ((char *) sw + L.off_level);

		CHECK(reversed(&a->fis_count, &b->fis_count, 4) &&
			  reversed(&a->fisher_sum, &b->fisher_sum, 8));
	}
	/* back: the same bytes, a state of this machine that goes on */
	CHECK(snn_detector_state_swap(&cfg, sw, sz, 1, &err) == SNN_OK);
	CHECK(memcmp(sw, st, sz) == 0);
	CHECK(snn_detector_check_state(&cfg, sw, sz, &err) == SNN_OK);
	free(st);
	free(sw);
}

/* A configuration swapped twice is itself; once, each field reversed. */
static void
test_config_swap(void)
{
	snn_detector_config a,
				b;
	snn_error	err;

	CHECK(snn_detector_config_default(SNN_PRESET_SENSOR, &a, &err) == SNN_OK);
	b = a;
	snn_detector_config_swap(&b);
	CHECK(reversed(&a.res_neurons, &b.res_neurons, 4));
	CHECK(reversed(&a.res_tau_m, &b.res_tau_m, 8));
	CHECK(reversed(&a.score_alarm_tau, &b.score_alarm_tau, 8));
	snn_detector_config_swap(&b);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
}

int
main(void)
{
	test_swap();
	test_config_swap();
	UNIT_DONE();
}
