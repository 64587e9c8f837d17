/*
 * runtime_ops.h: what the shared-memory runtime needs to know about a
 * network image, and nothing more.
 *
 * The runtime treats a network as an opaque `snn` varlena (the flat image
 * behind its varlena header) plus a mutable state buffer whose size the
 * image header gives.  Everything it does to the inside of a network goes
 * through these few calls, so the registry, pools, limits and statistics do
 * not depend on the simulator or on training.
 *
 * Inference and training are the C functions behind the value-level SQL
 * functions of the same name (snn_infer(snn, ...), snn_train(snn, ...)):
 * the runtime calls them directly, never through a catalog lookup by name,
 * with a Datum that points at the image in shared memory, so inference
 * reads the image in place, without a copy, and training returns a new
 * value that the runtime swaps in.
 */
#ifndef SNN_RUNTIME_OPS_H
#define SNN_RUNTIME_OPS_H

#include "postgres.h"

#include "fmgr.h"

/*
 * Check a network value (a detoasted `snn` varlena) before it is copied into
 * shared memory; raises an error that names the problem.  Returns the size
 * of the state buffer the network needs.
 */
extern Size rt_ops_check_image(const struct varlena *value);

/* Initialise a state buffer of the size rt_ops_check_image returned. */
extern void rt_ops_init_state(const struct varlena *value, void *state, Size size);

/* Build a network value from a type's configuration (snn_create(jsonb)). */
extern struct varlena *rt_ops_create(Datum config_jsonb);

/*
 * A value-level function the runtime calls: its C entry point and whether
 * its SQL declaration is STRICT (a NULL argument then gives NULL).
 */
typedef struct RtValueFn
{
	const char *name;
	PGFunction	addr;
	bool		strict;
} RtValueFn;

extern const RtValueFn rt_value_infer;	/* snn_infer(snn, ...) */
extern const RtValueFn rt_value_predict;	/* snn_predict(snn, ...) */
extern const RtValueFn rt_value_train;	/* snn_train(snn, ...) */
extern const RtValueFn rt_value_train_query;	/* snn_train_query(snn, ...) */

/*
 * Call the value-level function vf with the network value `image` (a
 * pointer into shared memory) as first argument and the remaining arguments
 * of the id-level call in fcinfo (whose declaration, OUT columns included,
 * matches the value-level one past the first argument).  persist
 * (inference): the network object's serial number; nonzero keeps the
 * callee's fn_extra across statements while it stays the same object (see
 * runtime_ops.c).
 */
extern Datum rt_ops_call_value_fn(const RtValueFn *vf, FunctionCallInfo fcinfo,
								  struct varlena *image, uint64 persist,
								  bool *isnull);

#endif							/* SNN_RUNTIME_OPS_H */
