/*
 * unit.h: a tiny assertion harness for engine unit tests.
 *
 * Each test binary calls CHECK(...) as often as it likes and ends with
 * UNIT_DONE(), which prints "unit <name>: N checks, N failed" and exits
 * non-zero when anything failed.
 */
#ifndef SNN_UNIT_H
#define SNN_UNIT_H

#include <stdio.h>
#include <stdlib.h>

static int	unit_checks = 0;
static int	unit_failed = 0;

#define CHECK(cond) do { \
	unit_checks++; \
	if (!(cond)) { \
		unit_failed++; \
		if (unit_failed <= 20) \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECKF(cond, ...) do { \
	unit_checks++; \
	if (!(cond)) { \
		unit_failed++; \
		if (unit_failed <= 20) { \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} \
} while (0)

#define UNIT_DONE() do { \
	printf("unit %s: %d checks, %d failed\n", __FILE__, unit_checks, unit_failed); \
	return unit_failed ? 1 : 0; \
} while (0)

#endif
