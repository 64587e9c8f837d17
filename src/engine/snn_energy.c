/*
 * snn_energy.c: per-operation energies of neuromorphic platforms and a CPU,
 * from published figures.  Everything derived from them is an estimate.
 */
#include "snn_energy.h"

#include <stddef.h>

/*
 * Horowitz, M. (2014). "Computing's energy problem (and what we can do about
 * it)". IEEE ISSCC 2014, pp. 10-14.  45 nm, 0.9 V: 32-bit float add 0.9 pJ,
 * 32-bit float multiply 3.7 pJ.
 */
#define HOROWITZ_FADD32_PJ	0.9
#define HOROWITZ_FMUL32_PJ	3.7

/*
 * Davies, M. et al. (2018). "Loihi: a neuromorphic manycore processor with
 * on-chip learning". IEEE Micro 38(1):82-99, table of energy per
 * operation: minimum synaptic spike operation 23.6 pJ; neuron update
 * (active) 52 pJ.
 */
#define LOIHI_SYNOP_PJ		23.6
#define LOIHI_UPDATE_PJ		52.0

/*
 * Merolla, P. A. et al. (2014). "A million spiking-neuron integrated circuit
 * with a scalable communication network and interface". Science
 * 345(6197):668-673: 26 pJ per synaptic event (whole-chip energy per
 * event, so neuron updates are folded into it and counted as 0 here).
 */
#define TRUENORTH_SYNOP_PJ	26.0
#define TRUENORTH_UPDATE_PJ 0.0

/*
 * Sharp, T., Galluppi, F., Rast, A. and Furber, S. (2012). "Power-efficient
 * simulation of detailed cortical microcircuits on SpiNNaker". Journal of
 * Neuroscience Methods 210(1):110-118 (abstract): 100 nJ per neuron per
 * millisecond (one 1 ms update) and 43 nJ per postsynaptic potential.
 */
#define SPINNAKER_SYNOP_PJ	43000.0
#define SPINNAKER_UPDATE_PJ 100000.0

/*
 * A CPU running the event-driven simulation: each synaptic operation is one
 * 32-bit float add and each neuron update one add and one compare (counted
 * as an add), Horowitz 2014 45 nm figures; compute only, no memory traffic,
 * so a lower bound for a real CPU.
 */
#define CPU_SYNOP_PJ		HOROWITZ_FADD32_PJ
#define CPU_UPDATE_PJ		(2.0 * HOROWITZ_FADD32_PJ)

static const snn_energy_platform platforms[] = {
	{"loihi", LOIHI_SYNOP_PJ, LOIHI_UPDATE_PJ, "Davies et al. 2018, IEEE Micro 38(1)"},
	{"truenorth", TRUENORTH_SYNOP_PJ, TRUENORTH_UPDATE_PJ, "Merolla et al. 2014, Science 345(6197)"},
	{"spinnaker", SPINNAKER_SYNOP_PJ, SPINNAKER_UPDATE_PJ, "Sharp et al. 2012, J Neurosci Methods 210(1)"},
	{"cpu_45nm", CPU_SYNOP_PJ, CPU_UPDATE_PJ, "Horowitz 2014, ISSCC (fp32 add, 45 nm)"},
};

const snn_energy_platform *
snn_energy_platforms(int *n)
{
	*n = (int) (sizeof(platforms) / sizeof(platforms[0]));
	return platforms;
}

double
snn_energy_mac_pj(void)
{
	return HOROWITZ_FMUL32_PJ + HOROWITZ_FADD32_PJ;
}

double
snn_energy_nj(const snn_energy_platform *p, uint64_t synops, uint64_t updates)
{
	return ((double) synops * p->pj_per_synop +
			(double) updates * p->pj_per_update) / 1000.0;
}
