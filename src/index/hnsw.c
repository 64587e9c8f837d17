/*
 * hnsw.c: the snn_hnsw access method handler: capabilities, options, the
 * planner's cost estimate, the operator class metric, build phase names.
 */
#include "postgres.h"

#include <math.h>

#include "access/amapi.h"
#include "access/reloptions.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/catcache.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"
#include "utils/syscache.h"

#include "hnsw.h"
#include "snn.h"

static relopt_kind snn_hnsw_relopt_kind;

/*
 * Values of the quantize option: the 4-bit and 2-bit codes.  The engine's
 * 1-bit code (SNN_QUANT_BIT) is not offered: its lower bound is so loose that
 * a scan rechecks most of the table (see doc/index.md).
 */
static relopt_enum_elt_def snn_hnsw_quantize_values[] = {
	{"none", SNN_QUANT_NONE},
	{"4bit", SNN_QUANT_4BIT},
	{"2bit", SNN_QUANT_2BIT},
	{NULL}
};

/* Values of the format option: what an element's tuples look like. */
static relopt_enum_elt_def snn_hnsw_format_values[] = {
	{"standard", SNN_HNSW_FORMAT},
	{"compact", SNN_HNSW_FORMAT_COMPACT},
	{NULL}
};

/*
 * Register the index options m, ef_construction, quantize and format
 * (called from _PG_init).
 */
void
snn_hnsw_init_reloptions(void)
{
	snn_hnsw_relopt_kind = add_reloption_kind();
	add_int_reloption(snn_hnsw_relopt_kind, "m",
					  "Neighbours an element keeps per layer (2m at layer 0)",
					  SNN_HNSW_DEFAULT_M, SNN_HNSW_MIN_M, SNN_HNSW_MAX_M,
					  AccessExclusiveLock);
	add_int_reloption(snn_hnsw_relopt_kind, "ef_construction",
					  "Size of the candidate list while building the graph",
					  SNN_HNSW_DEFAULT_EFC, SNN_HNSW_MIN_EFC, SNN_HNSW_MAX_EFC,
					  AccessExclusiveLock);
	add_enum_reloption(snn_hnsw_relopt_kind, "quantize",
					   "What an element stores: the pattern, or a 4-bit or 2-bit code of it",
					   snn_hnsw_quantize_values, SNN_QUANT_NONE,
					   "Valid values are \"none\", \"4bit\" and \"2bit\".",
					   AccessExclusiveLock);
	add_enum_reloption(snn_hnsw_relopt_kind, "format",
					   "Element layout on disk: standard, or compact (one tuple, one row, 4-byte links)",
					   snn_hnsw_format_values, SNN_HNSW_FORMAT,
					   "Valid values are \"standard\" and \"compact\".",
					   AccessExclusiveLock);
}

/* Parse WITH (m = ..., ef_construction = ..., quantize = ..., format = ...). */
static bytea *
snn_hnsw_options(Datum reloptions, bool validate)
{
	static const relopt_parse_elt tab[] = {
		{"m", RELOPT_TYPE_INT, offsetof(SnnHnswOptions, m)},
		{"ef_construction", RELOPT_TYPE_INT, offsetof(SnnHnswOptions, ef_construction)},
		{"quantize", RELOPT_TYPE_ENUM, offsetof(SnnHnswOptions, quantize)},
		{"format", RELOPT_TYPE_ENUM, offsetof(SnnHnswOptions, format)},
	};

	return (bytea *) build_reloptions(reloptions, validate, snn_hnsw_relopt_kind,
									  sizeof(SnnHnswOptions), tab, lengthof(tab));
}

/* m of an index, from its options or the default. */
int
snn_hnsw_get_m(Relation index)
{
	SnnHnswOptions *opts = (SnnHnswOptions *) index->rd_options;

	return opts ? opts->m : SNN_HNSW_DEFAULT_M;
}

/* ef_construction of an index, from its options or the default. */
int
snn_hnsw_get_ef_construction(Relation index)
{
	SnnHnswOptions *opts = (SnnHnswOptions *) index->rd_options;

	return opts ? opts->ef_construction : SNN_HNSW_DEFAULT_EFC;
}

/* quantize of an index, from its options or the default (build only). */
int
snn_hnsw_get_quantize(Relation index)
{
	SnnHnswOptions *opts = (SnnHnswOptions *) index->rd_options;

	return opts ? opts->quantize : SNN_QUANT_NONE;
}

/* format of an index, from its options or the default (build only). */
int
snn_hnsw_get_format(Relation index)
{
	SnnHnswOptions *opts = (SnnHnswOptions *) index->rd_options;

	return opts ? opts->format : SNN_HNSW_FORMAT;
}

/* The metric of the index's operator class, asked once from support proc 1. */
int
snn_hnsw_get_metric(Relation index)
{
	FmgrInfo   *proc = index_getprocinfo(index, 1, SNN_HNSW_METRIC_PROC);
	int			metric = DatumGetInt32(FunctionCall1(proc, (Datum) 0));

	if (metric != SNN_HNSW_L2 && metric != SNN_HNSW_L1)
		elog(ERROR, "snn_hnsw: unknown metric %d", metric);
	return metric;
}

/* An index path the planner must not take. */
static void
refuse_path(Cost *indexStartupCost, Cost *indexTotalCost,
			Selectivity *indexSelectivity, double *indexCorrelation,
			double *indexPages)
{
	*indexStartupCost = get_float8_infinity();
	*indexTotalCost = get_float8_infinity();
	*indexSelectivity = 0;
	*indexCorrelation = 0;
	*indexPages = 0;
}

/*
 * The executor's rechecks of a quantised index (quantize = 4bit or 2bit):
 * the index orders rows by a lower bound, so the executor fetches each row it
 * returns from the heap and computes the exact distance, and its reorder
 * queue holds a row back until no later bound can come before it.  Before
 * the first row comes out it has therefore fetched about the first search's
 * ef_search rows (a random heap page, a tuple and a distance each): that is
 * startup cost.  Over the whole walk every row is rechecked once; its heap
 * page is already in cost_index's heap fetches, so only the tuple and the
 * distance are added.
 */
static void
add_recheck_cost(PlannerInfo *root, IndexOptInfo *index, double ntuples,
				 bool iterative, Cost *startup, Cost *total)
{
	double		random_page_cost,
				seq_page_cost;
	double		per_row = cpu_tuple_cost + cpu_operator_cost;
	double		upfront = Min(ntuples, (double) snn_hnsw_ef_search);
	Cost		head;

	get_tablespace_page_costs(index->rel->reltablespace, &random_page_cost,
							  &seq_page_cost);
	head = upfront * (random_page_cost + per_row);
	*startup += head;
	*total += iterative ? head + ntuples * per_row : head;
}

/*
 * Cost: the first search is paid up front (about ef_search * m distance
 * evaluations, each possibly a page, plus the upper layers).  With
 * snn.iterative_scan off, that is all the scan does, and a known LIMIT above
 * ef_search is refused since the index could not serve it completely.  An
 * iterative scan goes on for as long as rows are asked for, so it is costed
 * as a walk over the whole graph returning every row: the executor's LIMIT
 * takes the fraction it needs, and a WHERE clause the index cannot check
 * (selectivity s) makes that fraction about 1/s larger, which is what lets
 * a very selective filter choose another plan.  A quantised index adds the
 * executor's heap rechecks (add_recheck_cost).
 */
static void
snn_hnsw_costestimate(PlannerInfo *root, IndexPath *path, double loop_count,
					  Cost *indexStartupCost, Cost *indexTotalCost,
					  Selectivity *indexSelectivity, double *indexCorrelation,
					  double *indexPages)
{
	GenericCosts first,
				all;
	IndexOptInfo *index = path->indexinfo;
	double		ntuples = Max(index->tuples, 1.0);
	double		evals;
	int			m = SNN_HNSW_DEFAULT_M;
	bool		iterative = snn_hnsw_iterative_scan != SNN_HNSW_ITERATIVE_OFF;
	bool		lossy;
	Relation	rel;
	SnnHnswMetaPageData meta;

	if (path->indexorderbys == NIL ||
		(!iterative && root->limit_tuples > 0 && root->limit_tuples > snn_hnsw_ef_search))
	{
		refuse_path(indexStartupCost, indexTotalCost, indexSelectivity,
					indexCorrelation, indexPages);
		return;
	}

	/* the meta page, not the options, says what the elements hold */
	rel = index_open(index->indexoid, NoLock);
	snn_hnsw_read_meta(rel, &meta);
	index_close(rel, NoLock);
	m = meta.m;
	lossy = meta.quantize != SNN_QUANT_NONE;

	/*
	 * Layer 0 dominates: each of about ef_search expanded candidates reads
	 * its neighbours, about m of the 2m slots once the selection heuristic
	 * has pruned them; upper layers add about m elements per level.
	 */
	evals = Min(ntuples, snn_hnsw_ef_search * (double) m + log(ntuples) / log(m) * m);
	MemSet(&first, 0, sizeof(first));
	first.numIndexTuples = evals;
	genericcostestimate(root, path, loop_count, &first);
	*indexStartupCost = first.indexTotalCost;
	*indexTotalCost = first.indexTotalCost;
	*indexSelectivity = first.indexSelectivity;
	*indexCorrelation = 0;
	*indexPages = first.numIndexPages;
	if (lossy)
		add_recheck_cost(root, index, ntuples, iterative, indexStartupCost,
						 indexTotalCost);
	if (!iterative)
		return;

	/* the whole walk: every element visited once, the first search's rate */
	MemSet(&all, 0, sizeof(all));
	all.numIndexTuples = ntuples;
	genericcostestimate(root, path, loop_count, &all);
	*indexTotalCost = Max(all.indexTotalCost, first.indexTotalCost);
	*indexSelectivity = all.indexSelectivity;
	*indexPages = all.numIndexPages;
	if (lossy)
		add_recheck_cost(root, index, ntuples, iterative, indexStartupCost,
						 indexTotalCost);
}

/*
 * amvalidate: an snn_hnsw operator class has support function 1 (the
 * metric) and ordering operator 1 on its input type, and nothing else.
 */
static bool
snn_hnsw_validate(Oid opclassoid)
{
	HeapTuple	classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	Form_pg_opclass classform;
	CatCList   *procs,
			   *ops;
	bool		ok = true,
				has_proc = false,
				has_op = false;

	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	classform = (Form_pg_opclass) GETSTRUCT(classtup);

	procs = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(classform->opcfamily));
	for (int i = 0; i < procs->n_members; i++)
	{
		Form_pg_amproc proc = (Form_pg_amproc) GETSTRUCT(&procs->members[i]->tuple);

		if (proc->amprocnum == SNN_HNSW_METRIC_PROC && proc->amproclefttype == classform->opcintype)
			has_proc = true;
		else
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("snn_hnsw operator class \"%s\" has an unexpected support function %d",
							NameStr(classform->opcname), proc->amprocnum)));
			ok = false;
		}
	}
	ops = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(classform->opcfamily));
	for (int i = 0; i < ops->n_members; i++)
	{
		Form_pg_amop op = (Form_pg_amop) GETSTRUCT(&ops->members[i]->tuple);

		if (op->amopstrategy == 1 && op->amoppurpose == AMOP_ORDER &&
			op->amoplefttype == classform->opcintype)
			has_op = true;
		else
		{
			ereport(INFO,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("snn_hnsw operator class \"%s\" has an unexpected operator %d",
							NameStr(classform->opcname), op->amopstrategy)));
			ok = false;
		}
	}
	if (!has_proc || !has_op)
	{
		ereport(INFO,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("snn_hnsw operator class \"%s\" lacks %s",
						NameStr(classform->opcname),
						!has_proc ? "support function 1" : "ordering operator 1")));
		ok = false;
	}
	ReleaseCatCacheList(ops);
	ReleaseCatCacheList(procs);
	ReleaseSysCache(classtup);
	return ok;
}

/* Names of the build sub-phases for pg_stat_progress_create_index. */
static char *
snn_hnsw_buildphasename(int64 phasenum)
{
	switch (phasenum)
	{
		case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
			return "initializing";
		case SNN_HNSW_PHASE_LOAD:
			return "loading tuples";
		case SNN_HNSW_PHASE_REPAIR:
			return "repairing graph";
		case SNN_HNSW_PHASE_WRITE:
			return "writing graph";
		default:
			return NULL;
	}
}

PG_FUNCTION_INFO_V1(snn_hnsw_handler);

/* The access method's entry point: what it can do and its callbacks. */
Datum
snn_hnsw_handler(PG_FUNCTION_ARGS)
{
	IndexAmRoutine *am = makeNode(IndexAmRoutine);

	am->amstrategies = 0;
	am->amsupport = 1;
	am->amoptsprocnum = 0;
	am->amcanorder = false;
	am->amcanorderbyop = true;
	am->amcanbackward = false;
	am->amcanunique = false;
	am->amcanmulticol = false;
	am->amoptionalkey = true;
	am->amsearcharray = false;
	am->amsearchnulls = false;
	am->amstorage = false;
	am->amclusterable = false;
	am->ampredlocks = false;
	am->amcanparallel = false;
	am->amcaninclude = false;
	am->amusemaintenanceworkmem = false;
	am->amparallelvacuumoptions = VACUUM_OPTION_NO_PARALLEL;
	am->amkeytype = InvalidOid;

	am->ambuild = snn_hnsw_build;
	am->ambuildempty = snn_hnsw_buildempty;
	am->aminsert = snn_hnsw_insert;
	am->ambulkdelete = snn_hnsw_bulkdelete;
	am->amvacuumcleanup = snn_hnsw_vacuumcleanup;
	am->amcanreturn = NULL;
	am->amcostestimate = snn_hnsw_costestimate;
	am->amoptions = snn_hnsw_options;
	am->amproperty = NULL;
	am->ambuildphasename = snn_hnsw_buildphasename;
	am->amvalidate = snn_hnsw_validate;
	am->amadjustmembers = NULL;
	am->ambeginscan = snn_hnsw_beginscan;
	am->amrescan = snn_hnsw_rescan;
	am->amgettuple = snn_hnsw_gettuple;
	am->amgetbitmap = NULL;
	am->amendscan = snn_hnsw_endscan;
	am->ammarkpos = NULL;
	am->amrestrpos = NULL;
	am->amestimateparallelscan = NULL;
	am->aminitparallelscan = NULL;
	am->amparallelrescan = NULL;

	PG_RETURN_POINTER(am);
}

PG_FUNCTION_INFO_V1(snn_hnsw_metric_l2);

/* Support function 1 of spikes_l2_ops: the graph compares squared L2. */
Datum
snn_hnsw_metric_l2(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(SNN_HNSW_L2);
}

PG_FUNCTION_INFO_V1(snn_hnsw_metric_l1);

/* Support function 1 of spikes_l1_ops: the graph compares L1. */
Datum
snn_hnsw_metric_l1(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(SNN_HNSW_L1);
}
