/*
 * snn_energy.h: energy estimates of an inference from operation counts.
 *
 * These are estimates: operation counts of one simulated inference times
 * published energies per operation of each platform (see snn_energy.c for
 * the source of every constant).  They leave out memory traffic outside the
 * cores, static power and I/O, and real chips map networks differently.
 */
#ifndef SNN_ENERGY_H
#define SNN_ENERGY_H

#include <stdint.h>

typedef struct snn_energy_platform
{
	const char *name;
	double		pj_per_synop;	/* one synaptic operation (spike x synapse) */
	double		pj_per_update;	/* one neuron state update */
	const char *source;			/* citation, short form */
} snn_energy_platform;

/* The platforms, in report order; *n receives their number. */
const snn_energy_platform *snn_energy_platforms(int *n);

/* Picojoules of one multiply-accumulate of the equivalent rate network
 * (32-bit float multiply + add, 45 nm; Horowitz 2014). */
double		snn_energy_mac_pj(void);

/* Estimated nanojoules for the counts on platform p. */
double		snn_energy_nj(const snn_energy_platform *p, uint64_t synops,
						  uint64_t updates);

#endif							/* SNN_ENERGY_H */
