/*
 * spikes.h: the on-disk layout of the spikes type (PostgreSQL side).
 *
 * A TTFS pattern: one byte a neuron, the step of its first spike (0..254)
 * or SNN_SILENT (255).  The layout is the binary contract shared by type
 * I/O, encoders and the snn_hnsw index; change it only with a new version.
 */
#ifndef SNN_SPIKES_H
#define SNN_SPIKES_H

#include "postgres.h"

#include "fmgr.h"

#include "snn_distance.h"

#define SPIKES_MAX_DIM		65535	/* dimension limit of the type */
#define SPIKES_MAX_STEP		254 /* latest step a neuron can fire at */

typedef struct Spikes
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint16		dim;			/* number of neurons */
	uint16		unused;			/* reserved, always 0 */
	uint8		t[FLEXIBLE_ARRAY_MEMBER];	/* first-spike step, or 255 */
} Spikes;

#define SPIKES_SIZE(dim)		(offsetof(Spikes, t) + (dim))
#define DatumGetSpikes(x)		((Spikes *) PG_DETOAST_DATUM(x))
#define PG_GETARG_SPIKES_P(n)	DatumGetSpikes(PG_GETARG_DATUM(n))
#define PG_RETURN_SPIKES_P(x)	PG_RETURN_POINTER(x)

/* A zeroed pattern of dim neurons, all silent. */
static inline Spikes *
spikes_alloc(int dim)
{
	Spikes	   *s = (Spikes *) palloc0(SPIKES_SIZE(dim));

	SET_VARSIZE(s, SPIKES_SIZE(dim));
	s->dim = (uint16) dim;
	memset(s->t, SNN_SILENT, dim);
	return s;
}

#endif							/* SNN_SPIKES_H */
