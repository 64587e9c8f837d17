/*
 * stream.h: event-stream anomaly detectors (issue 7), the PostgreSQL side.
 *
 * Definitions live in the extension's table snn_detectors (kept by
 * pg_dump).  The live state of each (database, detector, stream key) is one
 * flat engine buffer (snn_detector.h) in the runtime's DSA area, found
 * through a dshash table of its own; the dshash partition lock of a stream
 * is held only while one event (or one run of events of the same stream)
 * is stepped.  States are written to $PGDATA/pg_snn/detectors.state at
 * shutdown (and every snn.detector_save_interval) by the "snn stream
 * worker" and read back by the first process that needs them after a
 * start.
 */
#ifndef SNN_STREAM_H
#define SNN_STREAM_H

#include "postgres.h"

#include "common/int.h"
#include "lib/dshash.h"
#include "utils/timestamp.h"

#include "snn_detector.h"

#define SS_KEY_LEN		64		/* stream key: up to 63 bytes */
#define SS_RECENT		8		/* event ids remembered per stream */
#define SS_ID_LEN		32		/* bytes kept of each event id */

/* Identity of one stream: zero-padded so that memcmp compares it. */
typedef struct StreamKey
{
	Oid			dboid;
	uint32		pad;
	int64		detector;
	char		key[SS_KEY_LEN];
} StreamKey;

/* One stream's entry in the dshash table. */
typedef struct StreamEntry
{
	StreamKey	k;
	Oid			owner;			/* owner of the detector when the stream began
								 * (its streams count against this role) */
	uint32		pad;
	dsa_pointer state;			/* engine state, InvalidDsaPointer if none */
	uint64		state_size;
	uint64		cfg_hash;		/* configuration + seed the state belongs to */
	snn_detector_config cfg;	/* that configuration (to check a reloaded
								 * state) */
	int64		events;
	int64		anomalies;
	double		score_sum;
	TimestampTz last_event;
	TimestampTz last_anomaly;
	int32		n_recent;
	int32		recent_pos;
	char		recent[SS_RECENT][SS_ID_LEN];	/* last event ids, a ring */
} StreamEntry;

/* A detector as this backend knows it (from the table). */
typedef struct StreamDetector
{
	char		name[NAMEDATALEN];
	int64		id;
	Oid			owner;			/* the role that owns it */
	uint64		seed;
	bool		frozen;
	char		actions[1024];	/* recommended actions of its anomalies */
	uint64		cfg_hash;
	size_t		state_size;
	snn_detector_config cfg;	/* learn_online already folded with frozen */
} StreamDetector;

/* stream_state.c */
extern int	ss_save_interval_s;
extern int	ss_max_streams;

/* snn.detector_export_byte_order: the byte order of exported values */
#define SX_ORDER_LITTLE 0
#define SX_ORDER_BIG	1
extern int	sx_export_order;
extern void snn_stream_init(void);
extern void ss_require_preload(void);
extern bool ss_available(void);
extern uint64 ss_unsaved_steps(void);
extern StreamEntry *ss_lock_stream(const StreamDetector *d, const char *key);
extern bool ss_claim_new_stream(const StreamDetector *d, StreamEntry *e);
extern void ss_limit_error(const StreamDetector *d, const char *key) pg_attribute_noreturn();
extern void ss_unlock_stream(StreamEntry *e);
extern void ss_discard(Oid dboid, int64 detector, const char *key);
extern int	ss_databases(Oid **dbs);
extern int64 ss_discard_database(Oid dboid);
extern int64 ss_save(void);
extern bool ss_attached_once(void);
extern dshash_table *ss_table(void);
extern void ss_remember_event(StreamEntry *e, const char *event_id);
extern size_t ss_check_key(const char *key);

/* stream_detector.c */
extern void sd_install_hooks(void);
extern const StreamDetector *sd_lookup(const char *name);
extern const char *sd_schema(void);
extern Oid	sd_anomalies_owner(void);
extern void sd_check_use(const StreamDetector *d, Oid role);
extern void sd_discard_at_commit(int64 detector, text *key);
extern void sd_invalidate(void);

/* microseconds from 1970-01-01 (the engine's epoch) to 2000-01-01 */
#define SS_EPOCH_SHIFT_US	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/*
 * A finite timestamp in the engine's epoch.  The engine only reads the time
 * of day and the day of the week, so the last few thousand centuries the
 * shift would overflow move back a million weeks instead.
 */
static inline int64
ss_engine_time(TimestampTz at)
{
	int64		r;

	if (pg_add_s64_overflow((int64) at, SS_EPOCH_SHIFT_US, &r))
		r = (int64) at - INT64CONST(1000000) * 7 * USECS_PER_DAY + SS_EPOCH_SHIFT_US;
	return r;
}

/* stream_worker.c */
extern void ss_worker_register(void);

#endif							/* SNN_STREAM_H */
