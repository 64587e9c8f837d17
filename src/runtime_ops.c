/*
 * runtime_ops.c: the runtime's only window into a network (runtime_ops.h).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "snn.h"
#include "runtime_ops.h"

#include "network.h"
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

/* The snn type of the extension whose functions live in namespace. */
Oid
rt_ops_snn_type(Oid namespace)
{
	return GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
						   CStringGetDatum("snn"), ObjectIdGetDatum(namespace));
}

/* The value-level function name(argtypes) in namespace, or InvalidOid. */
static Oid
rt_ops_lookup(Oid namespace, const char *name, int nargs, Oid *argtypes)
{
	char	   *nsp = get_namespace_name(namespace);
	List	   *qname = list_make2(makeString(nsp), makeString(pstrdup(name)));

	return LookupFuncName(qname, nargs, argtypes, true);
}

/* Raise the documented error for a part that is not built yet. */
static void
rt_ops_not_available(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not available yet", what),
			 errdetail("The snn runtime calls the value-level function of the same name, which this build does not have.")));
}

/* Build a network value from a configuration through snn_create(jsonb). */
struct varlena *
rt_ops_create(Datum config_jsonb, Oid fn_namespace)
{
	Oid			argtypes[1] = {JSONBOID};
	Oid			fn = rt_ops_lookup(fn_namespace, "snn_create", 1, argtypes);
	Datum		result;

	if (!OidIsValid(fn))
		rt_ops_not_available("snn_create(jsonb)");
	result = OidFunctionCall1(fn, config_jsonb);
	return PG_DETOAST_DATUM(result);
}

/* Per-call-site cache of the value-level function. */
typedef struct RtValueFn
{
	Oid			fn;
	FmgrInfo	flinfo;
} RtValueFn;

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
	Oid			fn;
	MemoryContext cxt;
	FmgrInfo	flinfo;
	uint64		serial;			/* the network object it was built for */
} RtPersistFn;

static RtPersistFn rt_persist[RT_PERSIST_SLOTS];

/* The backend-long FmgrInfo for fn, reset when the image changed. */
static FmgrInfo *
rt_persist_get(Oid fn, uint64 serial, RtPersistFn **slot_out)
{
	RtPersistFn *p = NULL;

	for (int i = 0; i < RT_PERSIST_SLOTS; i++)
		if (rt_persist[i].fn == fn || (p == NULL && rt_persist[i].fn == InvalidOid))
		{
			p = &rt_persist[i];
			if (rt_persist[i].fn == fn)
				break;
		}
	if (p == NULL)
		p = &rt_persist[fn % RT_PERSIST_SLOTS];
	if (p->cxt == NULL)
		p->cxt = AllocSetContextCreate(TopMemoryContext, "snn runtime inference cache",
									   ALLOCSET_DEFAULT_SIZES);
	if (p->fn != fn || p->serial != serial)
	{
		p->fn = InvalidOid;
		MemoryContextReset(p->cxt);
		fmgr_info_cxt(fn, &p->flinfo, p->cxt);
		p->fn = fn;
		p->serial = serial;
	}
	*slot_out = p;
	return &p->flinfo;
}

/*
 * Call the value-level `name` with the image in place of the id: same
 * trailing arguments, same result.  The image pointer goes straight into
 * the call, so the value-level function reads shared memory in place.
 * With persist (inference: the object's serial number), the callee's own
 * per-network preparation is kept from one statement to the next while it
 * is called on the same network object.
 */
Datum
rt_ops_call_value_fn(const char *name, FunctionCallInfo fcinfo,
					 struct varlena *image, uint64 persist, bool *isnull)
{
	RtValueFn  *cache = (RtValueFn *) fcinfo->flinfo->fn_extra;
	int			nargs = PG_NARGS();
	LOCAL_FCINFO(call, FUNC_MAX_ARGS);
	FmgrInfo   *flinfo;
	RtPersistFn *slot = NULL;
	Datum		result;

	if (cache == NULL)
	{
		Oid			self = fcinfo->flinfo->fn_oid;
		Oid			nsp = get_func_namespace(self);
		Oid		   *argtypes;
		int			declared;
		Oid			snntype = rt_ops_snn_type(nsp);

		get_func_signature(self, &argtypes, &declared);
		if (!OidIsValid(snntype) || declared != nargs)
			rt_ops_not_available(psprintf("%s(snn, ...)", name));
		argtypes[0] = snntype;
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(RtValueFn));
		cache->fn = rt_ops_lookup(nsp, name, nargs, argtypes);
		if (!OidIsValid(cache->fn))
			rt_ops_not_available(psprintf("%s(snn, ...)", name));
		fmgr_info_cxt(cache->fn, &cache->flinfo, fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = cache;
	}
	flinfo = persist ? rt_persist_get(cache->fn, persist, &slot) : &cache->flinfo;

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
			slot->fn = InvalidOid;
			MemoryContextReset(slot->cxt);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	*isnull = call->isnull;
	return result;
}
