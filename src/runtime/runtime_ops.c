/*
 * runtime_ops.c: the runtime's only window into a network (runtime_ops.h).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "snn.h"
#include "runtime_ops.h"

#include "network.h"
#include "train.h"
#include "snn_image.h"

#define RT_MAX_STATE		((Size) 1 << 30)

/*
 * Check the header fields the runtime relies on and return the state size.
 * A value of type snn was fully validated by its input function (snn_in,
 * snn_recv, snn_create), so a full snn_image_validate (linear in the
 * synapses) is not repeated on every spawn: the header must only agree with
 * the value's length.
 */
Size
rt_ops_check_image(const struct varlena *value)
{
	Size		len = VARSIZE_ANY(value);
	const snn_image *img = (const snn_image *) ((const char *) value + SNN_NETWORK_HDRSZ);

	if (VARATT_IS_EXTENDED(value) || len < SNN_NETWORK_HDRSZ + sizeof(snn_image))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("snn value is too short to be a network image")));
	if (img->magic != SNN_IMAGE_MAGIC || img->version != SNN_IMAGE_VERSION ||
		img->header_size != sizeof(snn_image))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("snn value is not a network image of format version %d",
						SNN_IMAGE_VERSION)));
	if (img->total_size > len - SNN_NETWORK_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("snn image claims %llu bytes but the value holds %zu",
						(unsigned long long) img->total_size, len - SNN_NETWORK_HDRSZ)));
	if (img->state_size > RT_MAX_STATE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("snn image state of %llu bytes is over the limit of %zu",
						(unsigned long long) img->state_size, RT_MAX_STATE)));
	return (Size) img->state_size;
}

/*
 * Initialise the network's state buffer with the simulator (initial
 * membrane potentials drawn from the image's seed).  The buffer is 64-byte
 * aligned, as snn_state_init wants.
 */
void
rt_ops_init_state(const struct varlena *value, void *state, Size size)
{
	const snn_image *img = (const snn_image *) ((const char *) value + SNN_NETWORK_HDRSZ);

	Assert(size == img->state_size);
	memset(state, 0, size);
	snn_state_init(img, state, img->seed);
}

/* The value-level functions, called by their C entry points. */
const RtValueFn rt_value_infer = {"snn_infer", snn_infer, true};
const RtValueFn rt_value_predict = {"snn_predict", snn_predict, true};
const RtValueFn rt_value_train = {"snn_train", snn_train, false};
const RtValueFn rt_value_train_query = {"snn_train_query", snn_train_query, true};

/* Build a network value from a configuration through snn_create(jsonb). */
struct varlena *
rt_ops_create(Datum config_jsonb)
{
	return PG_DETOAST_DATUM(DirectFunctionCall1(snn_create, config_jsonb));
}

/*
 * Inference functions keep what they prepare from a network in fn_extra,
 * for the life of fn_mcxt.  A per-query FmgrInfo would throw that away at
 * the end of every statement, and a one-call statement (the common case
 * for an id) would prepare the network again each time, with its large
 * allocations going back and forth to the C library.  So inference calls go
 * through an FmgrInfo that lives in a backend-long context, reset whenever
 * the function or the network object (its serial) changes, which bounds what it keeps to one
 * prepared network per function.
 */
#define RT_PERSIST_SLOTS 4

typedef struct RtPersistFn
{
	PGFunction	fn;
	MemoryContext cxt;
	FmgrInfo	flinfo;
	uint64		serial;			/* the network object it was built for */
} RtPersistFn;

static RtPersistFn rt_persist[RT_PERSIST_SLOTS];

/* An FmgrInfo for vf in cxt, as the function manager would make it. */
static void
rt_ops_fmgr_info(const RtValueFn *vf, FmgrInfo *fi, MemoryContext cxt)
{
	MemSet(fi, 0, sizeof(*fi));
	fi->fn_addr = vf->addr;
	fi->fn_oid = InvalidOid;
	fi->fn_nargs = -1;
	fi->fn_strict = vf->strict;
	fi->fn_retset = false;
	fi->fn_stats = TRACK_FUNC_OFF;
	fi->fn_mcxt = cxt;
}

/* The backend-long FmgrInfo for vf, reset when the image changed. */
static FmgrInfo *
rt_persist_get(const RtValueFn *vf, uint64 serial, RtPersistFn **slot_out)
{
	PGFunction	fn = vf->addr;
	RtPersistFn *p = NULL;

	for (int i = 0; i < RT_PERSIST_SLOTS; i++)
		if (rt_persist[i].fn == fn || (p == NULL && rt_persist[i].fn == NULL))
		{
			p = &rt_persist[i];
			if (rt_persist[i].fn == fn)
				break;
		}
	if (p == NULL)
		p = &rt_persist[((uintptr_t) fn >> 4) % RT_PERSIST_SLOTS];
	if (p->cxt == NULL)
		p->cxt = AllocSetContextCreate(TopMemoryContext, "snn runtime inference cache",
									   ALLOCSET_DEFAULT_SIZES);
	if (p->fn != fn || p->serial != serial)
	{
		p->fn = NULL;
		MemoryContextReset(p->cxt);
		rt_ops_fmgr_info(vf, &p->flinfo, p->cxt);
		p->fn = fn;
		p->serial = serial;
	}
	*slot_out = p;
	return &p->flinfo;
}

/*
 * Call the value-level function vf with the image in place of the id: same
 * trailing arguments, same result.  The image pointer goes straight into
 * the call, so the value-level function reads shared memory in place.
 * With persist (inference: the object's serial number), the callee's own
 * per-network preparation is kept from one statement to the next while it
 * is called on the same network object.  The callee sees the id-level
 * call's function OID and expression, so get_call_result_type finds the
 * same OUT columns it declares.
 */
Datum
rt_ops_call_value_fn(const RtValueFn *vf, FunctionCallInfo fcinfo,
					 struct varlena *image, uint64 persist, bool *isnull)
{
	FmgrInfo   *cache = (FmgrInfo *) fcinfo->flinfo->fn_extra;
	int			nargs = PG_NARGS();

	LOCAL_FCINFO(call, FUNC_MAX_ARGS);
	FmgrInfo   *flinfo;
	RtPersistFn *slot = NULL;
	Datum		result;

	if (cache == NULL || cache->fn_addr != vf->addr)
	{
		cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(FmgrInfo));
		rt_ops_fmgr_info(vf, cache, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = cache;
	}
	flinfo = persist ? rt_persist_get(vf, persist, &slot) : cache;
	flinfo->fn_oid = fcinfo->flinfo->fn_oid;
	flinfo->fn_nargs = fcinfo->flinfo->fn_nargs;
	flinfo->fn_expr = fcinfo->flinfo->fn_expr;

	InitFunctionCallInfoData(*call, flinfo, nargs, fcinfo->fncollation,
							 NULL, NULL);
	call->args[0].value = PointerGetDatum(image);
	call->args[0].isnull = false;
	for (int i = 1; i < nargs; i++)
	{
		call->args[i] = fcinfo->args[i];
		if (call->args[i].isnull && flinfo->fn_strict)
		{
			*isnull = true;
			return (Datum) 0;
		}
	}
	if (slot == NULL)
		result = FunctionCallInvoke(call);
	else
	{
		PG_TRY();
		{
			result = FunctionCallInvoke(call);
		}
		PG_CATCH();
		{
			/* whatever the callee left half-built goes with the context */
			slot->fn = NULL;
			MemoryContextReset(slot->cxt);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	*isnull = call->isnull;
	return result;
}
