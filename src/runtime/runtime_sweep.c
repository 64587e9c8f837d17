/*
 * runtime_sweep.c: freeing the runtime objects nobody can reach any more.
 *
 * A dropped database leaves its network types (templates and ready pools,
 * which the pool worker would otherwise keep filled) and its live networks
 * in shared memory: the pool worker sweeps them every RT_SWEEP_MS, as the
 * stream worker does for detector states.  DROP EXTENSION snn (also through
 * DROP SCHEMA ... CASCADE) takes snn_network_types with it: this database's
 * types and pools are freed when it commits (a rolled-back drop keeps them).
 * Its live networks stay, as values do: they belong to their owners, who
 * dispose of them (or their ttl does) once the extension is back.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"

#include "snn.h"
#include "runtime.h"

/* savepoint level of a DROP EXTENSION snn not yet committed, or invalid */
static SubTransactionId rt_drop_subid = InvalidSubTransactionId;
static object_access_hook_type rt_prev_object_access = NULL;

/*
 * Free the types, pools and networks of databases that no longer exist (the
 * pool worker calls this).  The databases in use are listed before
 * pg_database is read, so a database created in between cannot be taken
 * for a dropped one.
 */
void
rt_sweep_databases(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *have;
	List	   *live;
	ListCell   *lc;

	have = rt_networks_databases(rt_types_databases(NIL));
	if (have == NIL)
		return;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	live = snn_live_databases();
	PopActiveSnapshot();
	MemoryContextSwitchTo(cxt);
	foreach(lc, have)
	{
		Oid			dboid = lfirst_oid(lc);
		int64		nets;
		int			types;

		if (list_member_oid(live, dboid))
			continue;
		nets = rt_networks_discard_database(dboid);
		types = rt_types_discard_database(dboid);
		ereport(LOG,
				(errmsg("snn: freed %d network types and %lld networks of dropped database %u",
						types, (long long) nets, dboid)));
	}
	CommitTransactionCommand();
	/* the commit leaves no resource owner: give the worker its own back */
	CurrentResourceOwner = owner;
	MemoryContextSwitchTo(cxt);
	list_free(have);
}

/* DROP EXTENSION snn: free this database's types when it commits. */
static void
rt_sweep_object_access(ObjectAccessType access, Oid classId, Oid objectId,
					   int subId, void *arg)
{
	if (rt_prev_object_access)
		rt_prev_object_access(access, classId, objectId, subId, arg);
	if (access == OAT_DROP && classId == ExtensionRelationId)
	{
		char	   *name = get_extension_name(objectId);

		if (name != NULL && strcmp(name, "snn") == 0 &&
			rt_drop_subid == InvalidSubTransactionId)
		{
			rt_backend_callbacks();
			rt_drop_subid = GetCurrentSubTransactionId();
		}
	}
}

/* Install the drop hook (from _PG_init when preloaded). */
void
rt_sweep_install_hooks(void)
{
	rt_prev_object_access = object_access_hook;
	object_access_hook = rt_sweep_object_access;
}

/*
 * Transaction end (from the runtime's callback): a committing DROP
 * EXTENSION frees the types just before the commit, like the detector
 * states; an abort forgets it.  The types live on in snn_network_types if
 * the commit fails after all, and load again at their next spawn.
 */
void
rt_sweep_xact(XactEvent event)
{
	if (rt_drop_subid == InvalidSubTransactionId)
		return;
	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PARALLEL_PRE_COMMIT)
	{
		rt_drop_subid = InvalidSubTransactionId;
		(void) rt_types_discard_database(MyDatabaseId);
	}
	else if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT ||
			 event == XACT_EVENT_PREPARE)
		rt_drop_subid = InvalidSubTransactionId;
}

/* A rolled-back savepoint takes its DROP EXTENSION with it. */
void
rt_sweep_subxact(SubXactEvent event, SubTransactionId mySubid,
				 SubTransactionId parentSubid)
{
	if (rt_drop_subid != mySubid)
		return;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
		rt_drop_subid = parentSubid;
	else if (event == SUBXACT_EVENT_ABORT_SUB)
		rt_drop_subid = InvalidSubTransactionId;
}
