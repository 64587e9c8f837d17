/*
 * allocate.c: snn_allocate, allocation of a fact to a column by lateral
 * inhibition.
 *
 * The k nearest rows of the table (through its snn_hnsw index when there is
 * one, by the ordinary ORDER BY pattern <-> $1 LIMIT k query) are the
 * candidate columns.  Each drives one LIF neuron of a winner-take-all layer
 * (engine: snn_wta.c) with a current that rises with similarity inside the
 * vigilance distance; the first neuron to fire wins and inhibits the others.
 * When none fires (no candidate within the vigilance), a new row is inserted
 * with the pattern.  Table and column names are quoted with
 * quote_identifier and the pattern is passed as a parameter, so nothing a
 * caller names can inject SQL; the distance operator is the extension's
 * (OPERATOR(schema.<->)), every other name is pg_catalog-qualified, and
 * the statements are parsed and run under the fixed search_path, so no
 * object in a schema of the caller's search_path can stand in for them.
 *
 * The search has its own candidate list size, snn.allocate_ef (0: follow
 * snn.ef_search), set for the call only in the same GUC nest level as the
 * search_path: an allocation must find the exact nearest column far more
 * often than a query asking for "about the ten nearest" needs to.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "hnsw.h"
#include "index_init.h"
#include "snn.h"
#include "snn_wta.h"

#define SNN_ALLOCATE_MAX_K	SNN_WTA_MAX_NEURONS
#define SNN_ALLOCATE_DEFAULT_EF 100

/* One prepared pair of statements, reused while the call's shape repeats. */
typedef struct AllocPlans
{
	Oid			relid;
	NameData	pattern_col;
	NameData	key_col;
	int			k;
	SPIPlanPtr	search;
	SPIPlanPtr	insert;
} AllocPlans;

static AllocPlans alloc_plans;

/* snn.allocate_ef: candidate list size of the search (0: snn.ef_search) */
static int	snn_allocate_ef = SNN_ALLOCATE_DEFAULT_EF;

/* Register snn.allocate_ef. */
void
snn_allocate_init(void)
{
	DefineCustomIntVariable("snn.allocate_ef",
							"Candidate list size of snn_allocate's index search (0: snn.ef_search).",
							"At least k is used.  Larger finds the exact nearest column more often, slower.",
							&snn_allocate_ef,
							SNN_ALLOCATE_DEFAULT_EF, 0, SNN_HNSW_MAX_EF_SEARCH,
							PGC_USERSET, 0, NULL, NULL, NULL);
}

/*
 * Give this call's index search its candidate list size: snn.ef_search is
 * set in the caller's GUC nest level, which snn_safe_path_leave (or an
 * error) restores.
 */
static void
set_search_ef(int k)
{
	int			ef = snn_allocate_ef > 0 ? snn_allocate_ef : snn_hnsw_ef_search;
	char		buf[16];

	ef = Min(Max(ef, k), SNN_HNSW_MAX_EF_SEARCH);
	if (ef == snn_hnsw_ef_search)
		return;
	snprintf(buf, sizeof(buf), "%d", ef);
	(void) set_config_option("snn.ef_search", buf, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/* The column's number, or a clear error naming table and column. */
static void
check_column(Oid relid, const char *col, const char *what)
{
	if (get_attnum(relid, col) == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						col, get_rel_name(relid)),
				 errdetail("snn_allocate needs it as the %s column.", what)));
}

/* Prepare the search and insert statements with every name quoted. */
static void
prepare_plans(Oid relid, const char *pcol, const char *kcol, int k, Oid spikes_type,
			  const char *opschema)
{
	char	   *rel = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												 get_rel_name(relid));
	const char *qp = quote_identifier(pcol);
	const char *qk = quote_identifier(kcol);
	const char *qs = quote_identifier(opschema);
	Oid			argtypes[1] = {spikes_type};
	StringInfoData sql;
	SPIPlanPtr	search,
				insert;

	initStringInfo(&sql);
	appendStringInfo(&sql,
					 "SELECT (%s)::pg_catalog.int8, %s OPERATOR(%s.<->) $1 FROM %s "
					 "WHERE %s IS NOT NULL ORDER BY %s OPERATOR(%s.<->) $1 LIMIT %d",
					 qk, qp, qs, rel, qp, qp, qs, k);
	search = SPI_prepare(sql.data, 1, argtypes);
	if (search == NULL)
		elog(ERROR, "snn_allocate: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	resetStringInfo(&sql);
	appendStringInfo(&sql, "INSERT INTO %s (%s) VALUES ($1) RETURNING (%s)::pg_catalog.int8",
					 rel, qp, qk);
	insert = SPI_prepare(sql.data, 1, argtypes);
	if (insert == NULL)
		elog(ERROR, "snn_allocate: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));

	/* keep them only once both exist */
	SPI_keepplan(search);
	SPI_keepplan(insert);
	if (alloc_plans.search)
		SPI_freeplan(alloc_plans.search);
	if (alloc_plans.insert)
		SPI_freeplan(alloc_plans.insert);
	alloc_plans.relid = relid;
	namestrcpy(&alloc_plans.pattern_col, pcol);
	namestrcpy(&alloc_plans.key_col, kcol);
	alloc_plans.k = k;
	alloc_plans.search = search;
	alloc_plans.insert = insert;
}

/* Advisory lock field that marks snn_allocate's per-table creation lock. */
#define SNN_ALLOCATE_LOCK_KEY 0x534E4E41	/* "SNNA" */

/*
 * Find the candidates and let them compete; returns the winner's position
 * (-1 when none fires) and fills keys and distances.
 */
static int
search_and_compete(Datum pattern, int k, double vigilance, const char *kcol,
				   int64 *keys, double *dist, double *current, double *v)
{
	Datum		args[1] = {pattern};
	snn_wta_params params;
	snn_wta_result res;
	snn_error	err;
	int			n;

	if (SPI_execute_plan(alloc_plans.search, args, NULL, false, k) != SPI_OK_SELECT)
		elog(ERROR, "snn_allocate: candidate search failed");
	n = (int) SPI_processed;
	for (int i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		kd = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("key column \"%s\" is NULL in a candidate row", kcol)));
		keys[i] = DatumGetInt64(kd);
		dist[i] = DatumGetFloat8(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull));
	}

	snn_wta_default_params(&params);
	snn_error_clear(&err);
	if (snn_wta_currents(dist, n, vigilance, &params, current, &err) != SNN_OK ||
		snn_wta_run(current, n, &params, v, &res, &err) != SNN_OK)
		snn_report_error(&err, "snn_allocate");
	return res.winner;
}

/*
 * Serialise the creation of columns in one table until the transaction
 * ends, so that sessions presenting the same novel pattern at once create
 * one column (under READ COMMITTED, the second sees the first's row).
 */
static void
lock_creation(Oid relid)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, relid, SNN_ALLOCATE_LOCK_KEY, 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

PG_FUNCTION_INFO_V1(snn_allocate);

/*
 * snn_allocate(tab regclass, pattern spikes, vigilance float8, k int,
 *              pattern_column name, key_column name)
 *   -> (key bigint, distance float8, created boolean)
 */
Datum
snn_allocate(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Datum		pattern = PG_GETARG_DATUM(1);
	double		vigilance = PG_GETARG_FLOAT8(2);
	int			k = PG_GETARG_INT32(3);
	char	   *pcol = NameStr(*PG_GETARG_NAME(4));
	char	   *kcol = NameStr(*PG_GETARG_NAME(5));
	Oid			spikes_type = get_fn_expr_argtype(fcinfo->flinfo, 1);
	TupleDesc	tupdesc;
	int			winner;
	double	   *dist,
			   *current,
			   *v;
	int64	   *keys;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	Datum		args[1];
	int			nest;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "snn_allocate: return type must be a row type");
	if (k < 1 || k > SNN_ALLOCATE_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be between 1 and %d, not %d", SNN_ALLOCATE_MAX_K, k)));
	if (isnan(vigilance) || isinf(vigilance))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("vigilance must be a finite distance")));
	if (vigilance < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("vigilance must not be negative")));
	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	check_column(relid, pcol, "pattern");
	check_column(relid, kcol, "key");
	if (!OidIsValid(spikes_type))
	{
		Oid		   *argtypes;
		int			nargs;

		get_func_signature(fcinfo->flinfo->fn_oid, &argtypes, &nargs);
		spikes_type = argtypes[1];
	}

	dist = palloc(sizeof(double) * k);
	current = palloc(sizeof(double) * k);
	v = palloc(sizeof(double) * k);
	keys = palloc(sizeof(int64) * k);

	SPI_connect();
	/* parsed and run under the fixed search_path (see safe_path.c) */
	nest = snn_safe_path_enter();
	set_search_ef(k);
	if (alloc_plans.search == NULL || alloc_plans.relid != relid || alloc_plans.k != k ||
		strcmp(NameStr(alloc_plans.pattern_col), pcol) != 0 ||
		strcmp(NameStr(alloc_plans.key_col), kcol) != 0)
		prepare_plans(relid, pcol, kcol, k, spikes_type,
					  get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));

	args[0] = pattern;
	winner = search_and_compete(pattern, k, vigilance, kcol, keys, dist, current, v);
	if (winner < 0)
	{
		/* creation: one at a time per table, and look again once we may */
		lock_creation(relid);
		winner = search_and_compete(pattern, k, vigilance, kcol, keys, dist, current, v);
	}

	if (winner >= 0)
	{
		values[0] = Int64GetDatum(keys[winner]);
		values[1] = Float8GetDatum(dist[winner]);
		values[2] = BoolGetDatum(false);
	}
	else
	{
		bool		isnull;

		if (SPI_execute_plan(alloc_plans.insert, args, NULL, false, 1) != SPI_OK_INSERT_RETURNING ||
			SPI_processed != 1)
			elog(ERROR, "snn_allocate: insert of a new column failed");
		values[0] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("key column \"%s\" of the new row is NULL", kcol),
					 errhint("Give the key column a default, e.g. bigserial.")));
		values[1] = Float8GetDatum(0.0);
		values[2] = BoolGetDatum(true);
	}
	snn_safe_path_leave(nest);
	SPI_finish();
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
