/*
 * test_detector_level.c: the level-change signal (score_level): off by
 * default and then invisible (same state size, a state made with other
 * level settings loads), on it raises an alarm on a level drop that stays
 * inside the range seen so far, a snapshot continues exactly, its settings
 * are validated and a damaged section is refused.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snn_detector.h"
#include "unit.h"

#define STEP_US (300LL * 1000000LL) /* five minutes */
#define T0_US	(1396310400LL * 1000000LL)	/* 2014-04-01 00:00 UTC */
#define N_EVENTS 3000
#define DROP_AT 2400

/* xorshift64*: reproducible noise without libc state */
static double
noise(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return ((*s * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0) - 0.5;
}

/*
 * Values spread evenly over [0, 100] until DROP_AT, then a level drop: they
 * stay in [0, 20], a band seen hundreds of times before (no range signal).
 */
static double
series(int i, uint64_t *s)
{
	double		u = noise(s) + 0.5;

	return i < DROP_AT ? 100.0 * u : 20.0 * u;
}

/* A fresh state for cfg; exits when it cannot be made. */
static void *
new_state(const snn_detector_config *cfg, uint64_t seed, size_t *size)
{
	size_t		sz = snn_detector_state_size(cfg);
	void	   *st = aligned_alloc(64, (sz + 63) & ~(size_t) 63);
	snn_error	err;

	if (st == NULL || snn_detector_init(cfg, st, sz, seed, &err) != SNN_OK)
	{
		fprintf(stderr, "init failed\n");
		exit(1);
	}
	*size = sz;
	return st;
}

/* Off: the state is the same size and the level settings are not hashed. */
static void
test_off_invisible(void)
{
	snn_detector_config a,
				b;
	size_t		sz;
	void	   *st;
	snn_error	err;

	snn_detector_config_default(SNN_PRESET_GENERIC, &a, NULL);
	CHECK(a.score_level == 0);
	CHECK(a.score_level_long == 0);
	b = a;
	b.score_level_long = 300;
	CHECK(snn_detector_state_size(&a) == snn_detector_state_size(&b));
	st = new_state(&b, 7, &sz);
	/* a state saved before the signal existed loads with the new defaults */
	CHECK(snn_detector_check_state(&a, st, sz, &err) == SNN_OK);
	free(st);
	b = a;
	b.score_level = 16;
	CHECK(snn_detector_state_size(&b) > snn_detector_state_size(&a));
	st = new_state(&b, 7, &sz);
	CHECK(snn_detector_check_state(&a, st, sz, &err) != SNN_OK);
	free(st);
}

/* Feed the series; counts alarms before and after the drop by cause. */
static void
run(const snn_detector_config *cfg, int *before, int *after, int *after_level)
{
	snn_detector_detail det;
	snn_error	err;
	uint64_t	s = 99;
	double		score,
				x;
	size_t		sz;
	void	   *st = new_state(cfg, 3, &sz);

	*before = *after = *after_level = 0;
	for (int i = 0; i < N_EVENTS; i++)
	{
		x = series(i, &s);
		CHECK(snn_detector_step(cfg, st, &x, 1, T0_US + i * STEP_US, &score, &det, &err) == SNN_OK);
		CHECK(det.cause != SNN_CAUSE_RANGE || i < 100);
		if (det.alarm && i < DROP_AT)
			(*before)++;
		if (det.alarm && i >= DROP_AT && i < DROP_AT + 100)
		{
			(*after)++;
			*after_level += det.cause == SNN_CAUSE_LEVEL;
		}
	}
	free(st);
}

/* On: the drop inside the seen range is found, and by this signal. */
static void
test_level_drop(void)
{
	snn_detector_config cfg;
	int			before,
				after,
				after_level;

	snn_detector_config_default(SNN_PRESET_GENERIC, &cfg, NULL);
	cfg.score_level = 16;
	run(&cfg, &before, &after, &after_level);
	CHECKF(after >= 1 && after_level >= 1, "drop: %d alarms, %d by level", after, after_level);
	CHECKF(before <= 2, "%d alarms before the drop", before);
}

/* A snapshot taken mid-stream continues with the same scores. */
static void
test_snapshot(void)
{
	snn_detector_config cfg;
	snn_error	err;
	uint64_t	s = 5;
	size_t		sz;
	void	   *a,
			   *b;
	double		x,
				sa,
				sb;
	int			same = 1;

	snn_detector_config_default(SNN_PRESET_GENERIC, &cfg, NULL);
	cfg.score_level = 8;
	cfg.score_level_long = 64;
	a = new_state(&cfg, 1, &sz);
	b = new_state(&cfg, 2, &sz);
	for (int i = 0; i < 1500; i++)
	{
		x = series(i, &s);
		CHECK(snn_detector_step(&cfg, a, &x, 1, T0_US + i * STEP_US, &sa, NULL, &err) == SNN_OK);
	}
	memcpy(b, a, sz);
	CHECK(snn_detector_check_state(&cfg, b, sz, &err) == SNN_OK);
	for (int i = 1500; i < N_EVENTS; i++)
	{
		x = series(i, &s);
		CHECK(snn_detector_step(&cfg, a, &x, 1, T0_US + i * STEP_US, &sa, NULL, &err) == SNN_OK);
		CHECK(snn_detector_step(&cfg, b, &x, 1, T0_US + i * STEP_US, &sb, NULL, &err) == SNN_OK);
		same &= sa == sb;
	}
	CHECK(same);
	free(a);
	free(b);
}

/* Settings that cannot work are refused, naming the field. */
static void
test_validation(void)
{
	snn_detector_config cfg;
	snn_error	err;

	snn_detector_config_default(SNN_PRESET_GENERIC, &cfg, NULL);
	cfg.score_level = 16;
	cfg.score_calibration = 0;
	CHECK(snn_detector_validate(&cfg, &err) == SNN_E_CONFIG);
	CHECK(strcmp(err.field, "score_level") == 0);
	snn_detector_config_default(SNN_PRESET_GENERIC, &cfg, NULL);
	cfg.score_level = 16;
	cfg.score_level_long = 16;
	CHECK(snn_detector_validate(&cfg, &err) == SNN_E_CONFIG);
	CHECK(strcmp(err.field, "score_level_long") == 0);
	cfg.score_level = -1;
	CHECK(snn_detector_validate(&cfg, &err) == SNN_E_CONFIG);
}

/* A damaged section (a ring position or a number) is refused. */
static void
test_damaged(void)
{
	snn_detector_config cfg,
				off;
	snn_error	err;
	uint64_t	s = 5;
	size_t		sz,
				at;
	double		x,
				sc,
				nan = NAN;
	char	   *st;

	snn_detector_config_default(SNN_PRESET_GENERIC, &cfg, NULL);
	cfg.score_level = 8;
	off = cfg;
	off.score_level = 0;

	/*
	 * the section follows the members: it starts where a state without it
	 * ends
	 */
	at = snn_detector_state_size(&off);
	st = new_state(&cfg, 1, &sz);
	for (int i = 0; i < 600; i++)
	{
		x = series(i, &s);
		CHECK(snn_detector_step(&cfg, st, &x, 1, T0_US + i * STEP_US, &sc, NULL, &err) == SNN_OK);
	}
	CHECK(snn_detector_check_state(&cfg, st, sz, &err) == SNN_OK);
	{
		int32_t		bad = 1000,
					keep;

		memcpy(&keep, st + at, sizeof(keep));
		memcpy(st + at, &bad, sizeof(bad)); /* short_pos */
		CHECK(snn_detector_check_state(&cfg, st, sz, &err) == SNN_E_FORMAT);
		memcpy(st + at, &keep, sizeof(keep));
		CHECK(snn_detector_check_state(&cfg, st, sz, &err) == SNN_OK);
	}
	/* the last -ln p (5 * 8 doubles fill whole 64-byte lines: the end) */
	memcpy(st + sz - sizeof(double), &nan, sizeof(nan));
	CHECK(snn_detector_check_state(&cfg, st, sz, &err) == SNN_E_FORMAT);
	free(st);
}

int
main(void)
{
	test_off_invisible();
	test_level_drop();
	test_snapshot();
	test_validation();
	test_damaged();
	UNIT_DONE();
}
