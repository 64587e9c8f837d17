/*
 * snn_sim_int.h: what snn_sim.c shares with its AVX2 kernel file.
 */
#ifndef SNN_SIM_INT_H
#define SNN_SIM_INT_H

#include "snn_image.h"

/*
 * The AVX2 kernels are built where GCC can compile one file for AVX2
 * (x86-64; clang lacks "#pragma GCC target", so it takes the SSE path).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SNN_SIM_HAVE_AVX2 1
#endif

/* Pointers into a state buffer. */
typedef struct state_view
{
	float	   *v;
	float	   *cur;			/* I_exc[n_slots] then I_inh[n_slots] */
	float	   *adapt;			/* ALIF threshold offset, Izhikevich u */
	int32_t    *ref;
	uint32_t   *spk_slot;
	uint32_t   *spk_id;
} state_view;

#ifdef SNN_SIM_HAVE_AVX2
extern uint32_t snn_sim_update_lif_avx2(const snn_layer *L, state_view *s,
										uint32_t n_slots, uint32_t nspk);
#endif

#endif							/* SNN_SIM_INT_H */
