/*
 * snn_hooks.c: shmem_request_hook, shmem_startup_hook and object_access_hook,
 * installed once, calling what each subsystem registered in turn (the
 * previous hook, another library's, first).
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"

#include "snn.h"
#include "snn_hooks.h"

/* enough for every subsystem (runtime, streams); more is a bug of ours */
#define SNN_MAX_HOOKS 8

bool		snn_preloaded = false;

static snn_shmem_fn shmem_request[SNN_MAX_HOOKS];
static snn_shmem_fn shmem_startup[SNN_MAX_HOOKS];
static int	n_shmem = 0;
static snn_object_access_fn object_access[SNN_MAX_HOOKS];
static int	n_object_access = 0;

static shmem_request_hook_type prev_shmem_request = NULL;
static shmem_startup_hook_type prev_shmem_startup = NULL;
static object_access_hook_type prev_object_access = NULL;

/* Reserve every subsystem's shared memory, after other libraries'. */
static void
snn_shmem_request(void)
{
	if (prev_shmem_request)
		prev_shmem_request();
	for (int i = 0; i < n_shmem; i++)
		shmem_request[i] ();
}

/* Create or attach every subsystem's shared memory, after other libraries'. */
static void
snn_shmem_startup(void)
{
	if (prev_shmem_startup)
		prev_shmem_startup();
	for (int i = 0; i < n_shmem; i++)
		shmem_startup[i] ();
}

/* Tell every watcher of an object access, after other libraries. */
static void
snn_object_access(ObjectAccessType access, Oid classId, Oid objectId,
				  int subId, void *arg)
{
	if (prev_object_access)
		prev_object_access(access, classId, objectId, subId, arg);
	for (int i = 0; i < n_object_access; i++)
		object_access[i] (access, classId, objectId, subId, arg);
}

/* Interrupts for the engine; the server's hooks when preloaded. */
void
snn_shared_init(void)
{
	snn_preloaded = process_shared_preload_libraries_in_progress;
	snn_interrupt_init();
	if (!snn_preloaded)
		return;
	prev_shmem_request = shmem_request_hook;
	shmem_request_hook = snn_shmem_request;
	prev_shmem_startup = shmem_startup_hook;
	shmem_startup_hook = snn_shmem_startup;
	prev_object_access = object_access_hook;
	object_access_hook = snn_object_access;
}

/* A subsystem's shared memory (from its init, when preloaded). */
void
snn_shmem_register(snn_shmem_fn request, snn_shmem_fn startup)
{
	if (!snn_preloaded || n_shmem >= SNN_MAX_HOOKS)
		elog(ERROR, "snn: shared memory registered outside _PG_init or too often");
	shmem_request[n_shmem] = request;
	shmem_startup[n_shmem] = startup;
	n_shmem++;
}

/* A subsystem's object access watcher (from its init, when preloaded). */
void
snn_object_access_register(snn_object_access_fn fn)
{
	if (!snn_preloaded || n_object_access >= SNN_MAX_HOOKS)
		elog(ERROR, "snn: object access hook registered outside _PG_init or too often");
	object_access[n_object_access++] = fn;
}

/*
 * Functions that keep shared state need the preloaded library: raise 55000
 * naming the setting.  what is the subject of the message ("snn detectors
 * need", "the snn runtime needs"), so each area keeps its own wording.
 */
void
snn_require_preload(bool attached, const char *what)
{
	if (!attached)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s shared_preload_libraries = 'snn'", what),
				 errhint("Add snn to shared_preload_libraries in postgresql.conf and restart the server; value-level functions work without it.")));
}
