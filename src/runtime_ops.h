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
 * Inference and training are reached through the value-level SQL functions
 * of the same name (snn_infer(snn, ...), snn_train(snn, ...)): the runtime
 * calls them through the function manager with a Datum that points at the
 * image in shared memory, so inference reads the image in place, without a
 * copy, and training returns a new value that the runtime swaps in.
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

/*
 * Build a network value from a type's configuration (snn_create(jsonb)).
 * Raises "not available yet" (0A000) while no snn_create exists.
 */
extern struct varlena *rt_ops_create(Datum config_jsonb, Oid fn_namespace);

/*
 * Call the value-level function `name` (snn_infer or snn_train) with the
 * network value `image` (a pointer into shared memory) as first argument and
 * the remaining arguments of the id-level call in fcinfo.  Raises
 * "not available yet" (0A000) when no such value-level function exists.
 * persist (inference): the network object's serial number; nonzero keeps
 * the callee's fn_extra across statements while it stays the same object
 * (see runtime_ops.c).
 */
extern Datum rt_ops_call_value_fn(const char *name, FunctionCallInfo fcinfo,
								  struct varlena *image, uint64 persist,
								  bool *isnull);

/* The OID of the snn type in the extension's schema, or InvalidOid. */
extern Oid	rt_ops_snn_type(Oid namespace);

#endif							/* SNN_RUNTIME_OPS_H */
