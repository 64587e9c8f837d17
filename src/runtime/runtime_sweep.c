/*
 * runtime_sweep.c: freeing the runtime objects nobody can reach any more.
 *
 * A dropped database leaves its network types (templates and ready pools,
 * which the pool worker would otherwise keep filled) and its live networks
 * in shared memory: the pool worker sweeps them every SNN_SWEEP_MS
 * (src/shared/snn_worker.c), as the stream worker does for detector states.  DROP EXTENSION snn (also through
 * DROP SCHEMA ... CASCADE) takes snn_network_types with it: this database's
 * types and pools are freed when it commits (a rolled-back drop keeps them).
 * Its live networks stay, as values do: they belong to their owners, who
 * dispose of them (or their ttl does) once the extension is back.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "miscadmin.h"

#include "snn.h"
#include "snn_hooks.h"
#include "runtime.h"

/* savepoint level of a DROP EXTENSION snn not yet committed, or invalid */
static SubTransactionId rt_drop_subid = InvalidSubTransactionId;

/* The databases that have types, pools or networks (the pool worker's sweep). */
List *
rt_sweep_held_databases(void)
{
	return rt_networks_databases(rt_types_databases(NIL));
}

/* Free the types, pools and networks of a dropped database (its sweep). */
void
rt_sweep_discard_database(Oid dboid)
{
	int64		nets = rt_networks_discard_database(dboid);
	int			types = rt_types_discard_database(dboid);

	ereport(LOG,
			(errmsg("snn: freed %d network types and %lld networks of dropped database %u",
					types, (long long) nets, dboid)));
}

/* DROP EXTENSION snn: free this database's types when it commits. */
static void
rt_sweep_object_access(ObjectAccessType access, Oid classId, Oid objectId,
					   int subId, void *arg)
{
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
	snn_object_access_register(rt_sweep_object_access);
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
