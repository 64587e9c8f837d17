/*
 * test_wta.c: the LIF winner-take-all layer: the strongest input wins,
 * firing times match the analytic LIF solution, ties and simultaneous
 * crossings resolve deterministically, sub-rheobase inputs never fire,
 * distance-to-current mapping honours the vigilance and makes the nearest
 * candidate win in any order at any vigilance, and bad parameters
 * are refused with the field named.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "snn_wta.h"
#include "unit.h"

static uint64_t
next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

int
main(void)
{
	snn_wta_params p;
	snn_wta_result r;
	snn_error	err;
	double		v[SNN_WTA_MAX_NEURONS];
	uint64_t	seed = 3;

	snn_wta_default_params(&p);
	CHECK(snn_wta_validate(&p, &err) == SNN_OK);

	/* one neuron: fires at tau ln(I / (I - theta)), within a step */
	{
		double		I = 2.0;
		double		t = p.tau * log(I / (I - p.threshold));

		CHECK(snn_wta_run(&I, 1, &p, v, &r, &err) == SNN_OK);
		CHECK(r.winner == 0);
		CHECKF(r.t_fire >= t - 1e-9 && r.t_fire < t + p.dt + 1e-9, "t=%g analytic %g", r.t_fire, t);
	}

	/* strongest wins, even when the difference is tiny */
	{
		double		I[4] = {1.5, 3.0, 3.0 + 1e-9, 2.0};

		CHECK(snn_wta_run(I, 4, &p, v, &r, &err) == SNN_OK);
		CHECK(r.winner == 2);
		CHECK(r.simultaneous == 2);
		/* losers were inhibited, winner reset */
		CHECK(v[2] == 0.0 && v[1] < 0.0 && v[0] < 0.0);
	}

	/* exact ties: lowest index */
	{
		double		I[3] = {2.0, 2.5, 2.5};

		CHECK(snn_wta_run(I, 3, &p, v, &r, &err) == SNN_OK);
		CHECK(r.winner == 1);
	}

	/* at or below the rheobase nothing fires; n = 0 has no winner */
	{
		double		I[2] = {1.0, 0.5};

		CHECK(snn_wta_run(I, 2, &p, v, &r, &err) == SNN_OK);
		CHECK(r.winner == -1);
		CHECK(r.steps == (int) ceil(p.t_max / p.dt));
		CHECK(snn_wta_run(I, 0, &p, v, &r, &err) == SNN_OK);
		CHECK(r.winner == -1);
	}

	/* random competitions: winner is always the argmax current */
	for (int t = 0; t < 500; t++)
	{
		double		I[32];
		int			n = 1 + (int) (next_rand(&seed) % 32),
					arg = 0;

		for (int i = 0; i < n; i++)
		{
			I[i] = 1.05 + (double) (next_rand(&seed) % 100000) / 20000.0;
			if (I[i] > I[arg])
				arg = i;
		}
		CHECK(snn_wta_run(I, n, &p, v, &r, &err) == SNN_OK);
		CHECKF(r.winner == arg, "winner %d argmax %d", r.winner, arg);
	}

	/* currents from distances */
	{
		double		d[5] = {0.0, 10.0, 50.0, 50.0001, 200.0};
		double		I[5];

		CHECK(snn_wta_currents(d, 5, 50.0, &p, I, &err) == SNN_OK);
		CHECK(I[0] > I[1] && I[1] > I[2]);
		CHECK(fabs(I[2] - p.threshold * (1 + p.margin)) < 1e-12);
		CHECK(I[3] == 0.0 && I[4] == 0.0);
		CHECK(snn_wta_run(I, 5, &p, v, &r, &err) == SNN_OK);
		CHECK(r.winner == 0);
		/* the vigilance edge still fires within the window */
		CHECK(snn_wta_run(I + 2, 1, &p, v, &r, &err) == SNN_OK);
		CHECK(r.winner == 0);
		/* vigilance 0: only an exact match competes */
		CHECK(snn_wta_currents(d, 5, 0.0, &p, I, &err) == SNN_OK);
		CHECK(I[0] > 1.0 && I[1] == 0.0);
	}

	/*
	 * the nearest candidate wins, listed in any order and at any vigilance:
	 * distances as snn_hnsw's L2 gives them (square roots of integers up to
	 * 128 neurons of 255 steps), close together, shuffled
	 */
	{
		const double vigilance[] = {3000.0, 1e6, 1e12, 1e15, 1e300};

		for (int vi = 0; vi < 5; vi++)
			for (int t = 0; t < 2000; t++)
			{
				double		d[32],
							I[32];
				int			n = 2 + (int) (next_rand(&seed) % 30),
							arg = 0;
				uint64_t	base = next_rand(&seed) % (128ULL * 255 * 255);

				for (int i = 0; i < n; i++)
				{
					d[i] = sqrt((double) (base + next_rand(&seed) % 2000));
					if (d[i] < d[arg])
						arg = i;
				}
				if (d[arg] > vigilance[vi])
					continue;
				CHECK(snn_wta_currents(d, n, vigilance[vi], &p, I, &err) == SNN_OK);
				CHECK(snn_wta_run(I, n, &p, v, &r, &err) == SNN_OK);
				CHECKF(r.winner >= 0 && d[r.winner] == d[arg],
					   "vigilance %g: winner %d (%.6f), nearest %d (%.6f)", vigilance[vi],
					   r.winner, r.winner >= 0 ? d[r.winner] : -1.0, arg, d[arg]);
			}
	}

	/* errors name the field */
	{
		double		d = 1.0,
					I;
		snn_wta_params bad = p;

		CHECK(snn_wta_currents(&d, 1, NAN, &p, &I, &err) == SNN_E_NAN);
		CHECK(strcmp(err.field, "vigilance") == 0);
		CHECK(snn_wta_currents(&d, 1, -1.0, &p, &I, &err) == SNN_E_RANGE);
		d = -2;
		CHECK(snn_wta_currents(&d, 1, 5.0, &p, &I, &err) == SNN_E_RANGE);
		bad.tau = 0;
		CHECK(snn_wta_run(&I, 1, &bad, v, &r, &err) == SNN_E_CONFIG);
		CHECK(strcmp(err.field, "tau") == 0);
		bad = p;
		bad.dt = 1e-9;
		CHECK(snn_wta_validate(&bad, &err) == SNN_E_CONFIG);
		CHECK(strcmp(err.field, "t_max") == 0);
		I = INFINITY;
		CHECK(snn_wta_run(&I, 1, &p, v, &r, &err) == SNN_E_NAN);
		CHECK(snn_wta_run(&I, SNN_WTA_MAX_NEURONS + 1, &p, v, &r, &err) == SNN_E_LIMIT);
	}

	UNIT_DONE();
}
