/*
 * snn_sim_avx2.c: the AVX2 variant of the LIF update (eight lanes), written
 * with SIMDe like every vector kernel of the engine.
 *
 * SIMDe emits native AVX2 only where the compiler targets AVX2, and a
 * target attribute on one function is not enough for it, so this file is
 * compiled for AVX2 as a whole (the pragma below) and holds nothing but
 * kernels that snn_sim.c calls after checking the CPU at run time.  Only
 * "avx2" is enabled (not "fma"): multiplies and adds stay separate and the
 * results equal the scalar path bit for bit.
 */
#include "snn_sim_int.h"

#ifdef SNN_SIM_HAVE_AVX2
#pragma GCC target("avx2")
#include <simde/x86/avx2.h>

/* Eight neurons a step; the same arithmetic as update_lif_simd. */
uint32_t
snn_sim_update_lif_avx2(const snn_layer *L, state_view *s, uint32_t n_slots, uint32_t nspk)
{
	const simde__m256 A = simde_mm256_set1_ps(L->decay_m),
				D = simde_mm256_set1_ps(L->drive),
				ge = simde_mm256_set1_ps(L->gain_exc),
				gi = simde_mm256_set1_ps(L->gain_inh),
				de = simde_mm256_set1_ps(L->decay_exc),
				di = simde_mm256_set1_ps(L->decay_inh),
				da = simde_mm256_set1_ps(L->decay_adapt),
				vth = simde_mm256_set1_ps(L->p.v_th),
				vr = simde_mm256_set1_ps(L->p.v_reset),
				inc = simde_mm256_set1_ps(L->p.adapt_inc);
	const simde__m256i one = simde_mm256_set1_epi32(1),
				zero = simde_mm256_setzero_si256(),
				rsteps = simde_mm256_set1_epi32(L->ref_steps),
				iota = simde_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	const int	alif = L->model == SNN_MODEL_ALIF;
	float	   *pv = s->v,
			   *pe = s->cur,
			   *pi = s->cur + n_slots,
			   *pa = s->adapt;
	int32_t    *pr = s->ref;

	for (uint32_t i = 0; i < L->size; i += 8)
	{
		uint32_t	k = L->first_slot + i;
		simde__m256 v = simde_mm256_load_ps(pv + k),
					ie = simde_mm256_load_ps(pe + k),
					ii = simde_mm256_load_ps(pi + k),
					th = vth,
					vn,
					refm,
					spk;
		simde__m256i ref = simde_mm256_load_si256((const simde__m256i *) (pr + k));
		int			mask;

		ref = simde_mm256_max_epi32(simde_mm256_sub_epi32(ref, one), zero);
		refm = simde_mm256_castsi256_ps(simde_mm256_cmpgt_epi32(ref, zero));
		vn = simde_mm256_add_ps(simde_mm256_add_ps(simde_mm256_add_ps(simde_mm256_mul_ps(v, A), D),
												   simde_mm256_mul_ps(ie, ge)),
								simde_mm256_mul_ps(ii, gi));
		v = simde_mm256_blendv_ps(vn, v, refm);
		simde_mm256_store_ps(pe + k, simde_mm256_mul_ps(ie, de));
		simde_mm256_store_ps(pi + k, simde_mm256_mul_ps(ii, di));
		if (alif)
		{
			simde__m256 a = simde_mm256_mul_ps(simde_mm256_load_ps(pa + k), da);

			th = simde_mm256_add_ps(vth, a);
			simde_mm256_store_ps(pa + k, a);
		}
		spk = simde_mm256_andnot_ps(refm, simde_mm256_cmp_ps(v, th, SIMDE_CMP_GT_OQ));
		if (L->size - i < 8)
			spk = simde_mm256_and_ps(spk, simde_mm256_castsi256_ps(
																   simde_mm256_cmpgt_epi32(simde_mm256_set1_epi32((int) (L->size - i)), iota)));
		mask = simde_mm256_movemask_ps(spk);
		if (mask)
		{
			v = simde_mm256_blendv_ps(v, vr, spk);
			ref = simde_mm256_castps_si256(simde_mm256_blendv_ps(simde_mm256_castsi256_ps(ref),
																 simde_mm256_castsi256_ps(rsteps), spk));
			if (alif)
				simde_mm256_store_ps(pa + k, simde_mm256_add_ps(simde_mm256_load_ps(pa + k),
																simde_mm256_and_ps(inc, spk)));
			while (mask)
			{
				int			lane = __builtin_ctz((unsigned) mask);

				s->spk_slot[nspk] = k + (uint32_t) lane;
				s->spk_id[nspk++] = L->first_neuron + i + (uint32_t) lane;
				mask &= mask - 1;
			}
		}
		simde_mm256_store_ps(pv + k, v);
		simde_mm256_store_si256((simde__m256i *) (pr + k), ref);
	}
	return nspk;
}

#else

/* ISO C wants a translation unit to declare something. */
typedef int snn_sim_avx2_unused;

#endif
