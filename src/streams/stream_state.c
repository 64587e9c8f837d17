/*
 * stream_state.c: live detector state per stream in the runtime's DSA area
 * (a dshash table of StreamEntry), and its persistence across restarts in
 * $PGDATA/pg_snn/detectors.state.
 *
 * File format (native byte order; a file from another build is rejected by
 * its header): "SNNDETST", format version, sizeof(snn_detector_config),
 * sizeof(StreamEntry), entry count; then per entry the StreamEntry, the
 * configuration the state was built for and the state bytes; then the
 * CRC-32C of everything before it.  Written to a temporary file and renamed
 * durably, so a crash while saving leaves the previous file.
 *
 * Version 1 (snn 0.1.0) is still read: its entries lack the owner and pad
 * fields that follow the key.  Such a stream comes back without an owner
 * (InvalidOid, counted under it) and takes its detector's owner at its next
 * event, when a database backend knows the detector (ss_adopt_owner): the
 * loader runs before any database is connected.  Version 2 is written.  A file that
 * fails any check is logged and ignored (the detectors start fresh); a
 * state that fails snn_detector_check_state is dropped alone.
 */
#include "postgres.h"

#include <unistd.h>
#include <sys/stat.h>

#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "snn.h"
#include "snn_hooks.h"
#include "runtime.h"
#include "stream.h"

#define SS_DIR			"pg_snn"
#define SS_FILE			SS_DIR "/detectors.state"
#define SS_TMP			SS_FILE ".tmp"
#define SS_MAGIC		"SNNDETST"
#define SS_VERSION		2		/* 2: StreamEntry.owner */

/* version 1 entries: StreamEntry without the owner and pad fields */
#define SS_V1_GAP		(offsetof(StreamEntry, state) - offsetof(StreamEntry, owner))
#define SS_V1_ENTRY		(sizeof(StreamEntry) - SS_V1_GAP)

typedef struct SsControl
{
	LWLock	   *lock;			/* creation of the table, saving */
	int			tranche;
	dshash_table_handle table;	/* InvalidDsaPointer until first use */
	dshash_table_handle counts; /* streams per (database, owner role) */
	pg_atomic_uint64 steps;		/* events stepped and streams freed since
								 * start (dirty mark) */
	uint64		saved_steps;	/* steps at the last save */
} SsControl;

typedef struct SsFileHeader
{
	char		magic[8];
	uint32		version;
	uint32		cfg_size;
	uint32		entry_size;
	uint32		pad;
	uint64		count;
} SsFileHeader;

/* Streams of the detectors of one role in one database. */
typedef struct SsOwnerKey
{
	Oid			dboid;
	Oid			owner;
} SsOwnerKey;

typedef struct SsOwnerCount
{
	SsOwnerKey	k;
	int64		streams;
} SsOwnerCount;

int			ss_save_interval_s = 300;
int			ss_max_streams = 1000;

static SsControl *ss_ctl = NULL;
static dshash_table *ss_hash = NULL;
static dshash_table *ss_counts = NULL;

static const dshash_parameters ss_params = {
	sizeof(StreamKey),
	sizeof(StreamEntry),
	dshash_memcmp,
	dshash_memhash,
	0
};

static const dshash_parameters ss_count_params = {
	sizeof(SsOwnerKey),
	sizeof(SsOwnerCount),
	dshash_memcmp,
	dshash_memhash,
	0
};

static void ss_load(dsa_area *area, dshash_table *h);

/* Detector functions need the preloaded library: say which setting. */
void
ss_require_preload(void)
{
	snn_require_preload(ss_ctl != NULL, "snn detectors need");
}

/* True when the library was preloaded (detector state can be kept). */
bool
ss_available(void)
{
	return ss_ctl != NULL;
}

/* Reserve the control struct and its lock. */
static void
ss_shmem_request(void)
{
	RequestAddinShmemSpace(MAXALIGN(sizeof(SsControl)));
	RequestNamedLWLockTranche("snn_streams", 1);
}

/* Create the control struct (empty after a start or a crash restart). */
static void
ss_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	ss_ctl = ShmemInitStruct("snn streams", sizeof(SsControl), &found);
	if (!found)
	{
		memset(ss_ctl, 0, sizeof(SsControl));
		ss_ctl->lock = &(GetNamedLWLockTranche("snn_streams"))->lock;
		ss_ctl->tranche = LWLockNewTrancheId();
		ss_ctl->table = InvalidDsaPointer;
		pg_atomic_init_u64(&ss_ctl->steps, 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* The values of snn.detector_export_byte_order. */
static const struct config_enum_entry sx_order_options[] = {
	{"little", SX_ORDER_LITTLE, false},
	{"big", SX_ORDER_BIG, false},
	{NULL, 0, false}
};

/* Settings, and when preloaded the shared-memory hooks and the saver. */
void
snn_stream_init(void)
{
	DefineCustomIntVariable("snn.detector_save_interval",
							"How often the snn stream worker saves detector states to disk (0: only at shutdown).",
							NULL,
							&ss_save_interval_s, 300, 0, 86400,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	DefineCustomIntVariable("snn.detector_max_streams",
							"Most live streams the detectors of one role may hold in one database.",
							"A new stream beyond it is refused (SQLSTATE 53400); existing streams go on.",
							&ss_max_streams, 1000, 1, INT_MAX,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("snn.detector_export_byte_order",
							 "Byte order of the values snn_detector_export writes (for tests).",
							 "Values are little-endian; big makes one of the other byte order, "
							 "which snn_detector_import converts.",
							 &sx_export_order, SX_ORDER_LITTLE, sx_order_options,
							 PGC_USERSET, GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	if (!process_shared_preload_libraries_in_progress)
		return;
	snn_shmem_register(ss_shmem_request, ss_shmem_startup);
	sd_install_hooks();
	ss_worker_register();
}

/* True once some process created the table (and so loaded the file). */
bool
ss_attached_once(void)
{
	return ss_ctl != NULL && ss_ctl->table != InvalidDsaPointer;
}

/*
 * The stream table, mapped in this process; the first process of the
 * server's life creates it and loads the saved states into it.
 */
dshash_table *
ss_table(void)
{
	dshash_parameters params = ss_params;
	dshash_parameters cparams = ss_count_params;
	dsa_area   *area;
	MemoryContext old;

	if (ss_hash != NULL)
		return ss_hash;
	ss_require_preload();
	area = rt_area();
	LWLockRegisterTranche(ss_ctl->tranche, "snn_streams");
	params.tranche_id = ss_ctl->tranche;
	cparams.tranche_id = ss_ctl->tranche;
	old = MemoryContextSwitchTo(TopMemoryContext);
	LWLockAcquire(ss_ctl->lock, LW_EXCLUSIVE);
	PG_TRY();
	{
		if (ss_ctl->table == InvalidDsaPointer)
		{
			dshash_table *h = dshash_create(area, &params, NULL);

			ss_counts = dshash_create(area, &cparams, NULL);
			ss_hash = h;
			ss_load(area, h);
			ss_ctl->counts = dshash_get_hash_table_handle(ss_counts);
			ss_ctl->table = dshash_get_hash_table_handle(h);
		}
		else
		{
			ss_counts = dshash_attach(area, &cparams, ss_ctl->counts, NULL);
			ss_hash = dshash_attach(area, &params, ss_ctl->table, NULL);
		}
	}
	PG_FINALLY();
	{
		LWLockRelease(ss_ctl->lock);
		MemoryContextSwitchTo(old);
	}
	PG_END_TRY();
	return ss_hash;
}

/* A stream key's length; error if it does not fit a StreamKey. */
size_t
ss_check_key(const char *key)
{
	size_t		len = strlen(key);

	if (len >= SS_KEY_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("stream key is %zu bytes, the limit is %d", len, SS_KEY_LEN - 1)));
	return len;
}

/* Fill a stream key; keys over 63 bytes are an error. */
static void
ss_make_key(StreamKey *k, Oid dboid, int64 detector, const char *key)
{
	size_t		len = ss_check_key(key);

	memset(k, 0, sizeof(StreamKey));
	k->dboid = dboid;
	k->detector = detector;
	memcpy(k->key, key, len);
}

/*
 * Add delta to the streams of owner's detectors in a database; a new
 * stream (delta > 0) is refused, returning false, at limit or beyond.
 * Taken while a stream entry is locked, never the other way round.
 */
static bool
ss_count_streams(Oid dboid, Oid owner, int delta, int limit)
{
	SsOwnerKey	k;
	SsOwnerCount *c;
	bool		found;

	memset(&k, 0, sizeof(k));
	k.dboid = dboid;
	k.owner = owner;
	c = dshash_find_or_insert(ss_counts, &k, &found);
	if (!found)
		c->streams = 0;
	if (delta > 0 && c->streams >= limit)
	{
		dshash_release_lock(ss_counts, c);
		return false;
	}
	c->streams += delta;
	if (c->streams <= 0)
		dshash_delete_entry(ss_counts, c);
	else
		dshash_release_lock(ss_counts, c);
	return true;
}

/* The streams d's owner holds in this database now. */
static int64
ss_owner_streams(const StreamDetector *d)
{
	SsOwnerKey	k;
	SsOwnerCount *c;
	int64		n = 0;

	memset(&k, 0, sizeof(k));
	k.dboid = MyDatabaseId;
	k.owner = d->owner;
	c = dshash_find(ss_counts, &k, false);
	if (c != NULL)
	{
		n = c->streams;
		dshash_release_lock(ss_counts, c);
	}
	return n;
}

/*
 * Make a just-inserted stream entry (held exclusively) d's, counted against
 * its owner's snn.detector_max_streams; beyond the limit the entry is
 * deleted and false returned (the caller frees what it holds, then raises
 * ss_limit_error).  Every way a stream is made goes through here, so the
 * count never misses one.
 */
bool
ss_claim_new_stream(const StreamDetector *d, StreamEntry *e)
{
	memset((char *) e + sizeof(StreamKey), 0, sizeof(StreamEntry) - sizeof(StreamKey));
	e->state = InvalidDsaPointer;
	e->owner = d->owner;
	if (ss_count_streams(MyDatabaseId, d->owner, 1, ss_max_streams))
		return true;
	dshash_delete_entry(ss_hash, e);
	return false;
}

/* The error of a new stream beyond snn.detector_max_streams. */
void
ss_limit_error(const StreamDetector *d, const char *key)
{
	const char *role = GetUserNameFromId(d->owner, true);

	ereport(ERROR,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("detector \"%s\" cannot start stream \"%s\": the detectors of role \"%s\" hold %d streams",
					d->name, key, role ? role : "?", ss_max_streams),
			 errdetail("snn.detector_max_streams allows %d streams to the detectors of one role in one database.",
					   ss_max_streams),
			 errhint("Reset streams with snn_detector_reset() or drop detectors of that role, or have a superuser raise snn.detector_max_streams.")));
}

/* A new, initialised state for d, not yet visible to anyone. */
static dsa_pointer
ss_new_state(const StreamDetector *d)
{
	dsa_area   *area = rt_area();
	dsa_pointer dp;
	snn_error	err;

	dp = dsa_allocate_extended(area, d->state_size, DSA_ALLOC_NO_OOM | DSA_ALLOC_HUGE);
	if (!DsaPointerIsValid(dp))
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("no shared memory left for the state of a stream of detector \"%s\" (%zu bytes)",
						d->name, d->state_size),
				 errhint("Raise snn.max_memory, or drop or reset detectors.")));
	if (snn_detector_init(&d->cfg, dsa_get_address(area, dp), d->state_size,
						  d->seed, &err) != SNN_OK)
	{
		dsa_free(area, dp);
		snn_report_error(&err, "snn_detector_init");
	}
	rt_account(RT_MEM_DETECTORS, d->state_size);
	return dp;
}

/* Free the state of an entry (held exclusively). */
static void
ss_free_state(StreamEntry *e)
{
	if (DsaPointerIsValid(e->state))
	{
		dsa_free(rt_area(), e->state);
		rt_account(RT_MEM_DETECTORS, -(int64) e->state_size);
		e->state = InvalidDsaPointer;
	}
}

/*
 * A stream reloaded from a version 1 file has no owner: it becomes d's
 * (the detector's owner now) and moves to that role's count, beyond the
 * limit if need be, as saved streams do.  Entry held exclusively.
 */
static void
ss_adopt_owner(StreamEntry *e, const StreamDetector *d)
{
	if (OidIsValid(e->owner))
		return;
	(void) ss_count_streams(e->k.dboid, InvalidOid, -1, 0);
	(void) ss_count_streams(e->k.dboid, d->owner, 1, INT_MAX);
	e->owner = d->owner;
}

/*
 * The entry of (d, key), exclusively locked, with a state that belongs to
 * d's configuration (created or replaced if needed).  Release it with
 * ss_unlock_stream() before anything that may raise an error.
 */
StreamEntry *
ss_lock_stream(const StreamDetector *d, const char *key)
{
	dshash_table *h = ss_table();
	StreamKey	k;
	StreamEntry *e;
	dsa_pointer fresh;
	bool		found;

	ss_make_key(&k, MyDatabaseId, d->id, key);
	e = dshash_find(h, &k, true);
	if (e != NULL && DsaPointerIsValid(e->state) && e->cfg_hash == d->cfg_hash)
	{
		ss_adopt_owner(e, d);
		return e;
	}
	if (e != NULL)
		dshash_release_lock(h, e);
	else if (ss_owner_streams(d) >= ss_max_streams)
		ss_limit_error(d, key); /* early: before taking memory */

	/* allocate and initialise outside the lock, then install */
	fresh = ss_new_state(d);
	e = dshash_find_or_insert(h, &k, &found);
	if (!found && !ss_claim_new_stream(d, e))
	{
		/* another session took the last one meanwhile */
		dsa_free(rt_area(), fresh);
		rt_account(RT_MEM_DETECTORS, -(int64) d->state_size);
		ss_limit_error(d, key);
	}
	if (found)
		ss_adopt_owner(e, d);
	if (found && DsaPointerIsValid(e->state) && e->cfg_hash == d->cfg_hash)
	{
		/* another session got there first */
		dsa_free(rt_area(), fresh);
		rt_account(RT_MEM_DETECTORS, -(int64) d->state_size);
		return e;
	}
	ss_free_state(e);
	e->state = fresh;
	e->state_size = d->state_size;
	e->cfg_hash = d->cfg_hash;
	e->cfg = d->cfg;
	return e;
}

/* Something the saver must write changed: a step, or a freed stream. */
static inline void
ss_mark_dirty(void)
{
	pg_atomic_fetch_add_u64(&ss_ctl->steps, 1);
}

/* Release a stream entry; counts the step for the saver. */
void
ss_unlock_stream(StreamEntry *e)
{
	dshash_release_lock(ss_hash, e);
	ss_mark_dirty();
}

/* Remember an event id in the stream's ring (entry held exclusively). */
void
ss_remember_event(StreamEntry *e, const char *event_id)
{
	strlcpy(e->recent[e->recent_pos], event_id ? event_id : "", SS_ID_LEN);
	e->recent_pos = (e->recent_pos + 1) % SS_RECENT;
	if (e->n_recent < SS_RECENT)
		e->n_recent++;
}

/*
 * Free every stream of a database, or of one detector in it (detector >= 0);
 * returns how many.
 */
static int64
ss_discard_all(Oid dboid, int64 detector)
{
	dshash_seq_status st;
	StreamEntry *e;
	int64		n = 0;

	dshash_seq_init(&st, ss_table(), true);
	while ((e = dshash_seq_next(&st)) != NULL)
	{
		if (e->k.dboid != dboid || (detector >= 0 && e->k.detector != detector))
			continue;
		ss_free_state(e);
		(void) ss_count_streams(e->k.dboid, e->owner, -1, 0);
		dshash_delete_current(&st);
		n++;
	}
	dshash_seq_term(&st);
	if (n > 0)
		ss_mark_dirty();
	return n;
}

/*
 * Forget the streams of a detector in a database (key NULL: all of them):
 * their next event starts from a fresh state.
 */
void
ss_discard(Oid dboid, int64 detector, const char *key)
{
	dshash_table *h = ss_table();
	StreamEntry *e;

	if (key != NULL)
	{
		StreamKey	k;

		ss_make_key(&k, dboid, detector, key);
		e = dshash_find(h, &k, true);
		if (e != NULL)
		{
			ss_free_state(e);
			(void) ss_count_streams(e->k.dboid, e->owner, -1, 0);
			dshash_delete_entry(h, e);
			ss_mark_dirty();
		}
		return;
	}
	(void) ss_discard_all(dboid, detector);
}

/*
 * The databases that have streams, deduplicated, in *dbs (palloc'd); the
 * count is returned.  Used by the worker to find dropped databases.
 */
int
ss_databases(Oid **dbs)
{
	dshash_seq_status st;
	StreamEntry *e;
	int			n = 0;
	int			cap = 8;

	*dbs = palloc(cap * sizeof(Oid));
	dshash_seq_init(&st, ss_table(), false);
	while ((e = dshash_seq_next(&st)) != NULL)
	{
		int			i;

		for (i = 0; i < n && (*dbs)[i] != e->k.dboid; i++)
			;
		if (i < n)
			continue;
		if (n == cap)
		{
			cap *= 2;
			*dbs = repalloc(*dbs, cap * sizeof(Oid));
		}
		(*dbs)[n++] = e->k.dboid;
	}
	dshash_seq_term(&st);
	return n;
}

/* Free every stream of a database (it was dropped); returns how many. */
int64
ss_discard_database(Oid dboid)
{
	return ss_discard_all(dboid, -1);
}

/* Write all of buf or fail. */
static void
ss_write(int fd, const void *buf, size_t len, pg_crc32c *crc)
{
	const char *p = buf;

	COMP_CRC32C(*crc, buf, len);
	while (len > 0)
	{
		ssize_t		n = write(fd, p, len);

		if (n < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not write \"%s\": %m", SS_TMP)));
		p += n;
		len -= n;
	}
}

/*
 * Save every stream's state (atomically replaces the file); returns the
 * number of streams written, or -1 when nothing was ever loaded (then the
 * existing file is left alone).
 */
int64
ss_save(void)
{
	dshash_table *h;
	dshash_seq_status st;
	StreamEntry *e;
	SsFileHeader hdr;
	pg_crc32c	crc;
	int			fd;
	int64		count = 0;
	uint64		steps;
	dsa_area   *area;

	if (!ss_attached_once())
		return -1;
	h = ss_table();
	area = rt_area();
	LWLockAcquire(ss_ctl->lock, LW_EXCLUSIVE);
	steps = pg_atomic_read_u64(&ss_ctl->steps);
	if (MakePGDirectory(SS_DIR) < 0 && errno != EEXIST)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", SS_DIR)));
	fd = OpenTransientFile(SS_TMP, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not create \"%s\": %m", SS_TMP)));

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, SS_MAGIC, 8);
	hdr.version = SS_VERSION;
	hdr.cfg_size = sizeof(snn_detector_config);
	hdr.entry_size = sizeof(StreamEntry);
	hdr.count = 0;				/* patched below */
	INIT_CRC32C(crc);

	{
		StringInfoData buf;
		pg_crc32c	out;

		/* entries go to memory first: the count precedes them */
		initStringInfo(&buf);
		dshash_seq_init(&st, h, false);
		while ((e = dshash_seq_next(&st)) != NULL)
		{
			if (!DsaPointerIsValid(e->state))
				continue;
			appendBinaryStringInfo(&buf, (char *) e, sizeof(StreamEntry));
			appendBinaryStringInfo(&buf, dsa_get_address(area, e->state), e->state_size);
			count++;
		}
		dshash_seq_term(&st);
		hdr.count = count;
		ss_write(fd, &hdr, sizeof(hdr), &crc);
		ss_write(fd, buf.data, buf.len, &crc);
		FIN_CRC32C(crc);
		out = crc;
		INIT_CRC32C(crc);
		ss_write(fd, &out, sizeof(out), &crc);
		pfree(buf.data);
	}
	if (pg_fsync(fd) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not fsync \"%s\": %m", SS_TMP)));
	CloseTransientFile(fd);
	durable_rename(SS_TMP, SS_FILE, ERROR);
	ss_ctl->saved_steps = steps;
	LWLockRelease(ss_ctl->lock);
	return count;
}

/* Steps since the last save (the saver skips a save when zero). */
uint64
ss_unsaved_steps(void)
{
	return pg_atomic_read_u64(&ss_ctl->steps) - ss_ctl->saved_steps;
}

/*
 * One saved entry into *rec: version 2 as it is, version 1 with no owner
 * (see the file comment).
 */
static void
ss_read_entry(StreamEntry *rec, const char *p, uint32 version)
{
	if (version == SS_VERSION)
	{
		memcpy(rec, p, sizeof(StreamEntry));
		return;
	}
	memcpy(rec, p, offsetof(StreamEntry, owner));
	rec->owner = InvalidOid;
	rec->pad = 0;
	memcpy((char *) rec + offsetof(StreamEntry, state),
		   p + offsetof(StreamEntry, owner),
		   sizeof(StreamEntry) - offsetof(StreamEntry, state));
}

/*
 * Read the saved states into a new table h (caller holds ss_ctl->lock).
 * Any problem: a LOG line and fresh detectors, never an error.
 */
static void
ss_load(dsa_area *area, dshash_table *h)
{
	int			fd;
	struct stat sb;
	char	   *buf;
	SsFileHeader hdr;
	pg_crc32c	crc,
				stored;
	size_t		off;
	int64		loaded = 0,
				dropped = 0;
	snn_error	err;

	fd = OpenTransientFile(SS_FILE, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		if (errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not open \"%s\": %m; snn detectors start fresh", SS_FILE)));
		return;
	}
	if (fstat(fd, &sb) < 0 || sb.st_size < (off_t) (sizeof(hdr) + sizeof(pg_crc32c)) ||
		sb.st_size > (off_t) MaxAllocHugeSize)
	{
		CloseTransientFile(fd);
		ereport(LOG, (errmsg("snn detector state file \"%s\" has a bad size; ignored", SS_FILE)));
		return;
	}
	buf = palloc_extended(sb.st_size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	if (buf == NULL || read(fd, buf, sb.st_size) != sb.st_size)
	{
		CloseTransientFile(fd);
		ereport(LOG, (errmsg("could not read snn detector state file \"%s\"; ignored", SS_FILE)));
		return;
	}
	CloseTransientFile(fd);

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, buf, sb.st_size - sizeof(pg_crc32c));
	FIN_CRC32C(crc);
	memcpy(&stored, buf + sb.st_size - sizeof(pg_crc32c), sizeof(pg_crc32c));
	memcpy(&hdr, buf, sizeof(hdr));
	if (!EQ_CRC32C(crc, stored) || memcmp(hdr.magic, SS_MAGIC, 8) != 0 ||
		!((hdr.version == SS_VERSION && hdr.entry_size == sizeof(StreamEntry)) ||
		  (hdr.version == 1 && hdr.entry_size == SS_V1_ENTRY)) ||
		hdr.cfg_size != sizeof(snn_detector_config))
	{
		ereport(LOG, (errmsg("snn detector state file \"%s\" is corrupt or from another build; ignored", SS_FILE)));
		pfree(buf);
		return;
	}
	off = sizeof(hdr);
	for (uint64 i = 0; i < hdr.count; i++)
	{
		StreamEntry rec;
		StreamEntry *e;
		dsa_pointer dp;
		bool		found;
		size_t		end = sb.st_size - sizeof(pg_crc32c);

		if (off + hdr.entry_size > end)
			break;
		ss_read_entry(&rec, buf + off, hdr.version);
		off += hdr.entry_size;
		if (rec.state_size == 0 || rec.state_size > SNN_DETECTOR_MAX_STATE ||
			off + rec.state_size > end)
		{
			dropped++;
			break;
		}
		dp = dsa_allocate_extended(area, rec.state_size, DSA_ALLOC_NO_OOM | DSA_ALLOC_HUGE);
		if (!DsaPointerIsValid(dp))
		{
			ereport(LOG, (errmsg("snn.max_memory too small to reload every saved detector state; the rest start fresh")));
			break;
		}
		memcpy(dsa_get_address(area, dp), buf + off, rec.state_size);
		off += rec.state_size;
		rec.k.key[SS_KEY_LEN - 1] = '\0';
		if (snn_detector_validate(&rec.cfg, &err) != SNN_OK ||
			snn_detector_state_size(&rec.cfg) != rec.state_size ||
			snn_detector_check_state(&rec.cfg, dsa_get_address(area, dp),
									 rec.state_size, &err) != SNN_OK)
		{
			dsa_free(area, dp);
			dropped++;
			continue;
		}
		e = dshash_find_or_insert(h, &rec.k, &found);
		memcpy(e, &rec, sizeof(StreamEntry));
		e->state = dp;
		/* saved streams come back even beyond the limit */
		if (!found)
			(void) ss_count_streams(rec.k.dboid, rec.owner, 1, INT_MAX);
		dshash_release_lock(h, e);
		rt_account(RT_MEM_DETECTORS, rec.state_size);
		loaded++;
	}
	pfree(buf);
	ereport(LOG,
			(errmsg("snn: reloaded %lld saved detector stream states from \"%s\" (format version %u)",
					(long long) loaded, SS_FILE, hdr.version),
			 dropped ? errdetail("%lld states were dropped as inconsistent.", (long long) dropped) : 0));
}
