/*
 * runtime.h: the shared-memory runtime of ephemeral networks.
 *
 * Layout (all of it lives only while the postmaster's shared memory does;
 * a crash restart reinitialises it, empty and consistent):
 *
 *   RtControl    a fixed struct from ShmemInitStruct: the DSA and dshash
 *                handles, id counter, counters, network types with their
 *                pools and statistics, the condition variable waiters sleep on
 *   DSA area     created lazily by the first backend that needs it (PG15 has
 *                no GetNamedDSA), pinned, size-limited by snn.max_memory;
 *                holds every network object (image + initial state)
 *   registry     a dshash table in the area: network id -> RtEntry
 *
 * A network object is refcounted: the registry entry (or the pool, or the
 * type's template slot) holds one reference, and each inference running on
 * it holds one more while it reads the image in place.  The last reference
 * frees it, so training can swap in a new object while inferences still read
 * the old one.
 */
#ifndef SNN_RUNTIME_H
#define SNN_RUNTIME_H

#include "postgres.h"

#include "fmgr.h"
#include "access/xact.h"
#include "lib/dshash.h"
#include "nodes/pg_list.h"
#include "port/atomics.h"
#include "storage/condition_variable.h"
#include "storage/dsm.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
#include "utils/dsa.h"
#include "utils/timestamp.h"

#ifndef DSA_HANDLE_INVALID		/* PostgreSQL 15 has no name for it */
#define DSA_HANDLE_INVALID	((dsa_handle) DSM_HANDLE_INVALID)
#endif

#define RT_MAX_TYPES		64	/* network types at once (README Limits) */
#define RT_POOL_CAP			1024	/* most ready networks in one pool */
#define RT_NONE_SLOT		RT_MAX_TYPES	/* statistics of untyped networks */
#define RT_NBUCKETS			96	/* latency histogram: 4 buckets an octave */
#define RT_TAG_LEN			64

typedef enum RtPhase
{
	RT_PHASE_SPAWN = 0,
	RT_PHASE_TRAIN,
	RT_PHASE_INFER,
	RT_PHASE_SAVE,
	RT_PHASE_DISPOSE,
	RT_NPHASES
} RtPhase;

typedef enum RtMemCat
{
	RT_MEM_TEMPLATES = 0,		/* one image of each type, copied to spawn */
	RT_MEM_POOL,				/* ready networks in pools */
	RT_MEM_NETWORKS,			/* live networks (spawned or loaded) */
	RT_MEM_TRAINING,			/* new images built by a training, not yet
								 * swapped in */
	RT_MEM_DETECTORS,			/* live state of detector streams */
	RT_NMEMCAT
} RtMemCat;

/* Latency of one (type, phase): count, total and a log-scale histogram. */
typedef struct RtLatency
{
	pg_atomic_uint64 count;
	pg_atomic_uint64 sum_us;
	pg_atomic_uint64 bucket[RT_NBUCKETS];
} RtLatency;

/* A network type with its pool (slot of RtControl.types). */
typedef struct RtType
{
	slock_t		mutex;			/* protects the fields down to ready[] */
	bool		in_use;
	uint32		generation;		/* bumped whenever the slot is (re)defined */
	Oid			dboid;
	char		name[NAMEDATALEN];
	int32		pool_min;
	int32		pool_max;		/* most networks of the type alive at once */
	int64		ttl_us;			/* 0: never reaped */
	dsa_pointer template_obj;
	Size		obj_bytes;		/* bytes of one network object */
	int32		n_ready;
	int32		n_inuse;
	dsa_pointer ready[RT_POOL_CAP];
	/* statistics, reset by snn_stat_reset() */
	pg_atomic_uint32 waiting;
	pg_atomic_uint64 gets;
	pg_atomic_uint64 hits;		/* gets served from the ready pool */
	pg_atomic_uint64 timeouts;
	pg_atomic_uint64 errors;
	RtLatency	lat[RT_NPHASES];
} RtType;

typedef struct RtControl
{
	LWLock	   *lock;			/* area creation and type slots */
	int			dsa_tranche;
	int			hash_tranche;
	dsa_handle	area;			/* DSA_HANDLE_INVALID until first use */
	dshash_table_handle registry;
	pg_atomic_uint64 next_id;
	pg_atomic_uint64 next_serial;	/* identity of each network object */
	pg_atomic_uint32 n_live;	/* registry entries */
	pg_atomic_uint64 mem[RT_NMEMCAT];
	pg_atomic_uint64 mem_high;	/* high-water mark of the sum of mem[] */
	ConditionVariable cv;		/* broadcast whenever a network or bytes are
								 * freed */
	int			worker_procno;	/* -1 when no worker runs */
	TimestampTz stats_reset;
	RtType		types[RT_MAX_TYPES + 1];	/* the last one: untyped networks */
} RtControl;

/* A network object in the area: header, then the image, then the state. */
typedef struct RtObject
{
	pg_atomic_uint32 refs;
	uint32		category;		/* RtMemCat it is accounted under */
	Size		alloc_size;		/* bytes allocated from the area */
	Size		image_off;		/* from the object start: the varlena */
	Size		image_len;		/* VARSIZE of the varlena */
	Size		state_off;		/* 64-byte aligned */
	Size		state_size;
	uint64		serial;			/* unique: a swapped-in image never matches */
} RtObject;

typedef enum RtNetState
{
	RT_NET_READY = 0,
	RT_NET_TRAINING
} RtNetState;

/* A registry entry: key first. */
typedef struct RtEntry
{
	int64		id;
	Oid			owner;
	Oid			dboid;
	int32		type_slot;		/* RT_NONE_SLOT for loaded networks */
	uint32		type_gen;
	int32		state;			/* RtNetState */
	int32		trainer_pid;
	TimestampTz created;
	TimestampTz last_used;
	int64		ttl_us;
	dsa_pointer obj;
	Size		bytes;
	uint64		n_infer;
	uint64		n_train;
	int32		train_epoch;	/* epoch reached by the current or last
								 * training */
	int32		train_epochs;	/* its most epochs; 0: no progress reported
								 * yet */
	double		train_loss;		/* training loss of that epoch */
	char		tag[RT_TAG_LEN];
} RtEntry;

/* runtime_shmem.c */
extern void snn_runtime_init(void);
extern RtControl *rt_control;
extern int	rt_max_networks;
extern int	rt_max_memory_mb;
extern int	rt_acquire_timeout_ms;
extern int	rt_worker_naptime_ms;

extern void rt_require_preload(void);
extern void rt_attach(void);
extern dsa_area *rt_area(void);
extern dshash_table *rt_registry(void);
extern dsa_pointer rt_alloc(Size size, RtMemCat cat, int slot);
extern void rt_account(RtMemCat cat, int64 delta);
extern void rt_wake_waiters(void);
extern void rt_wake_worker(void);
extern void rt_wait_begin(int slot);
extern void rt_wait_end(int slot);
extern bool rt_wait_sleep(TimestampTz start, int slot, const char *what, const char *hint);

/* runtime_object.c */
extern dsa_pointer rt_object_from_value(const struct varlena *value, RtMemCat cat, int slot);
extern dsa_pointer rt_object_copy(dsa_pointer src, RtMemCat cat, int slot);
extern RtObject *rt_object(dsa_pointer dp);
extern struct varlena *rt_object_image(RtObject *obj);
extern void rt_object_ref(dsa_pointer dp);
extern void rt_object_unref(dsa_pointer dp);
extern void rt_object_recategorize(dsa_pointer dp, RtMemCat to);

/* runtime_types.c */
extern int	rt_type_lookup(Oid dboid, const char *name, uint32 *generation);
extern int	rt_type_load(const char *name, Oid fn_namespace);
extern void rt_pool_refill_all(void);
extern void rt_type_release_inuse(int slot, uint32 generation);
extern void rt_types_xact_abort(void);
extern void rt_types_xact_commit(void);
extern void rt_types_subxact(bool commit, SubTransactionId mySubid,
							 SubTransactionId parentSubid);
extern dsa_pointer rt_type_acquire(const char *name, Oid fn_namespace,
								   int *slot_out, uint32 *gen_out);
extern int	rt_types_discard_database(Oid dboid);
extern List *rt_types_databases(List *dbs);

/* runtime_registry.c */
extern void rt_reap_idle(void);
extern List *rt_networks_databases(List *dbs);
extern int64 rt_networks_discard_database(Oid dboid);
extern int64 rt_register(dsa_pointer obj, int slot, uint32 generation,
						 int64 ttl_us, const char *tag);
extern void rt_backend_callbacks(void);

/* runtime_stats.c */
extern void rt_stat_latency(int slot, RtPhase phase, int64 us);
extern void rt_stat_reset_slot(RtType *t);

/* runtime_worker.c */
extern void rt_worker_register(void);

/* runtime_sweep.c */
extern List *rt_sweep_held_databases(void);
extern void rt_sweep_discard_database(Oid dboid);
extern void rt_sweep_install_hooks(void);
extern void rt_sweep_xact(XactEvent event);
extern void rt_sweep_subxact(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid);

#endif							/* SNN_RUNTIME_H */
