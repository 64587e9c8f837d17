/*
 * snn_random.h: the engine's random numbers, seeded and portable (no libc
 * state), so that a seed gives the same network, detector or training run
 * on every machine.
 *
 * Two generators, kept both because results that tests and users pin were
 * made with each (changing one would change every network built, every
 * detector score or every trained weight for a given seed):
 *
 * - splitmix64 (Steele, Lea, Flood 2014): networks (synapse sampling,
 *   initial potentials), detector reservoirs and the stateless encoders
 *   (snn_splitmix64_mix of seed + i * gamma).
 * - xorshift64* (Vigna 2016), snn_rand_*: every learning rule (weight
 *   initialisation, shuffles, STDP's Poisson inputs).  Its state must not
 *   be 0.
 *
 * Plain C11, no postgres.h.
 */
#ifndef SNN_RANDOM_H
#define SNN_RANDOM_H

#include <stdint.h>

/* The Weyl increment of splitmix64 (2^64 / golden ratio). */
#define SNN_GOLDEN_GAMMA	UINT64_C(0x9E3779B97F4A7C15)

/* 2^-53: turns the top 53 bits of a draw into a double in [0, 1). */
#define SNN_RAND_DOUBLE_UNIT (1.0 / 9007199254740992.0)

/* SplitMix64's finaliser: a bijective mix of 64 bits. */
static inline uint64_t
snn_splitmix64_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* Next 64 random bits of a splitmix64 stream. */
static inline uint64_t
snn_splitmix64_next(uint64_t *s)
{
	return snn_splitmix64_mix(*s += SNN_GOLDEN_GAMMA);
}

/* Uniform double in [0, 1) from a splitmix64 stream. */
static inline double
snn_splitmix64_unit(uint64_t *s)
{
	return (double) (snn_splitmix64_next(s) >> 11) * SNN_RAND_DOUBLE_UNIT;
}

/* Uniform double in (0, 1] from a splitmix64 stream: never 0, log() is safe. */
static inline double
snn_splitmix64_unit_pos(uint64_t *s)
{
	return ((double) (snn_splitmix64_next(s) >> 11) + 1.0) * SNN_RAND_DOUBLE_UNIT;
}

/* Next 64 random bits of a xorshift64* stream (state never 0). */
static inline uint64_t
snn_rand_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

/* Uniform double in [0, 1) from a xorshift64* stream. */
static inline double
snn_rand_unit(uint64_t *s)
{
	return (double) (snn_rand_next(s) >> 11) * SNN_RAND_DOUBLE_UNIT;
}

#endif							/* SNN_RANDOM_H */
