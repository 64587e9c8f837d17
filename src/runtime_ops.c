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
#include "utils/syscache.h"

#include "snn.h"
#include "runtime_ops.h"

/*
 * Until the network image header (src/engine/snn_image.h) is merged, the
 * runtime checks the few fields it needs itself: the image starts 8 bytes
 * into the varlena with the magic "SNNK", total_size at byte 16 and
 * state_size at byte 56 of the header.
 */
#define RT_IMG_BODY			8
#define RT_IMG_MAGIC		0x4B4E4E53u
#define RT_IMG_MIN			64
#define RT_IMG_OFF_TOTAL	16
#define RT_IMG_OFF_STATE	56
#define RT_MAX_STATE		((Size) 1 << 30)

/* Check the header fields the runtime relies on; return the state size. */
Size
rt_ops_check_image(const struct varlena *value)
{
	Size		len = VARSIZE_ANY(value);
	const char *img = (const char *) value + RT_IMG_BODY;
	uint32		magic;
	uint64		total;
	uint64		state;

	if (VARATT_IS_EXTENDED(value) || len < RT_IMG_BODY + RT_IMG_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("snn value is too short to be a network image")));
	memcpy(&magic, img, sizeof(magic));
	memcpy(&total, img + RT_IMG_OFF_TOTAL, sizeof(total));
	memcpy(&state, img + RT_IMG_OFF_STATE, sizeof(state));
	if (magic != RT_IMG_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("snn value is not a network image (bad magic)")));
	if (total > len - RT_IMG_BODY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("snn image claims %llu bytes but the value holds %zu",
						(unsigned long long) total, len - RT_IMG_BODY)));
	if (state > RT_MAX_STATE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("snn image state of %llu bytes is over the limit of %zu",
						(unsigned long long) state, RT_MAX_STATE)));
	return (Size) state;
}

/* Zeroed state until the simulator's snn_state_init is merged. */
void
rt_ops_init_state(const struct varlena *value, void *state, Size size)
{
	memset(state, 0, size);
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
 * Call the value-level `name` with the image in place of the id: same
 * trailing arguments, same result.  The image pointer goes straight into
 * the call, so the value-level function reads shared memory in place.
 */
Datum
rt_ops_call_value_fn(const char *name, FunctionCallInfo fcinfo,
					 struct varlena *image, bool *isnull)
{
	RtValueFn  *cache = (RtValueFn *) fcinfo->flinfo->fn_extra;
	int			nargs = PG_NARGS();
	LOCAL_FCINFO(call, FUNC_MAX_ARGS);
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

	InitFunctionCallInfoData(*call, &cache->flinfo, nargs, fcinfo->fncollation,
							 NULL, NULL);
	call->args[0].value = PointerGetDatum(image);
	call->args[0].isnull = false;
	for (int i = 1; i < nargs; i++)
	{
		call->args[i] = fcinfo->args[i];
		if (call->args[i].isnull && cache->flinfo.fn_strict)
		{
			*isnull = true;
			return (Datum) 0;
		}
	}
	result = FunctionCallInvoke(call);
	*isnull = call->isnull;
	return result;
}
