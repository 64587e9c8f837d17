/*
 * stream_export.c: a detector's learned state as a bytea value, so that
 * dump/restore and moving a detector keep what it learned (issue 16).
 *
 * snn_detector_export(name) writes every live stream of the detector in
 * this database; snn_detector_import(name, state, replace) checks the value
 * completely and only then installs its streams.  Both are for the
 * detector's owner only.
 *
 * Format: little-endian on every server (a big-endian server reverses each
 * number when it writes and reads), marked in the header by a byte-order
 * mark; a value whose mark reads reversed (exported by a big-endian server
 * before values were little-endian, or with snn.detector_export_byte_order
 * = big) is converted on import.  Another format version or another
 * build's configuration size is refused with its own message:
 *
 *	SxHeader						magic "SNNDEXP", version, byte-order mark,
 *									sizeof(snn_detector_config), stream count,
 *									the detector's seed and configuration
 *									(learning switch cleared)
 *	per stream, sorted by key:
 *		SxStream					key, statistics, event-id ring, the
 *									configuration its state was built with,
 *									state size
 *		state bytes					the engine's flat state (snn_detector.h),
 *									checked with snn_detector_check_state
 *	CRC-32C							of everything before it
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "port/pg_bswap.h"
#include "port/pg_crc32c.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "snn.h"
#include "runtime.h"
#include "stream.h"

#define SX_MAGIC		"SNNDEXP"
#define SX_VERSION		1
#define SX_BYTE_ORDER	0x01020304u

/* snn.detector_export_byte_order (for tests: a big-endian value here) */
int			sx_export_order = SX_ORDER_LITTLE;

typedef struct SxHeader
{
	char		magic[8];
	uint32		version;
	uint32		byte_order;
	uint32		cfg_size;
	uint32		count;
	uint64		seed;
	snn_detector_config cfg;	/* learn_online cleared */
} SxHeader;

typedef struct SxStream
{
	char		key[SS_KEY_LEN];	/* zero-padded, NUL-terminated */
	int64		events;
	int64		anomalies;
	double		score_sum;
	TimestampTz last_event;
	TimestampTz last_anomaly;
	int32		n_recent;
	int32		recent_pos;
	char		recent[SS_RECENT][SS_ID_LEN];
	snn_detector_config cfg;	/* the configuration the state was built with */
	uint64		state_size;
} SxStream;

/* A double with its bytes reversed. */
static double
sx_swap_double(double x)
{
	uint64		b;

	memcpy(&b, &x, sizeof(b));
	b = pg_bswap64(b);
	memcpy(&x, &b, sizeof(x));
	return x;
}

/* Reverse every number of a header (its configuration included). */
static void
sx_swap_header(SxHeader *h)
{
	h->version = pg_bswap32(h->version);
	h->byte_order = pg_bswap32(h->byte_order);
	h->cfg_size = pg_bswap32(h->cfg_size);
	h->count = pg_bswap32(h->count);
	h->seed = pg_bswap64(h->seed);
	snn_detector_config_swap(&h->cfg);
}

/* Reverse every number of a stream record (the key and ids are text). */
static void
sx_swap_stream(SxStream *s)
{
	s->events = (int64) pg_bswap64((uint64) s->events);
	s->anomalies = (int64) pg_bswap64((uint64) s->anomalies);
	s->score_sum = sx_swap_double(s->score_sum);
	s->last_event = (TimestampTz) pg_bswap64((uint64) s->last_event);
	s->last_anomaly = (TimestampTz) pg_bswap64((uint64) s->last_anomaly);
	s->n_recent = (int32) pg_bswap32((uint32) s->n_recent);
	s->recent_pos = (int32) pg_bswap32((uint32) s->recent_pos);
	snn_detector_config_swap(&s->cfg);
	s->state_size = pg_bswap64(s->state_size);
}

/* One stream being exported or imported: its record and its state bytes. */
typedef struct SxItem
{
	SxStream	s;
	char	   *state;			/* palloc'd copy */
	dsa_pointer dp;				/* import: the shared copy, once allocated */
} SxItem;

/* True when values are written in the other byte order than this server's. */
static bool
sx_export_swaps(void)
{
#ifdef WORDS_BIGENDIAN
	return sx_export_order == SX_ORDER_LITTLE;
#else
	return sx_export_order == SX_ORDER_BIG;
#endif
}

/* Error for a value that is not an intact export of this build. */
#define SX_BAD(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), \
			 errmsg("invalid detector state value: " __VA_ARGS__)))

/*
 * The detector, after checking that the caller owns it: export and import
 * hand out and overwrite what it learned, as drop and reset do.
 */
static StreamDetector
sx_owned_detector(const char *name)
{
	StreamDetector d = *sd_lookup(name);

	if (!is_member_of_role(GetUserId(), d.owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of detector \"%s\"", name)));
	return d;
}

/* The detector's configuration without the learning switch (states share it). */
static snn_detector_config
sx_neutral(const snn_detector_config *cfg)
{
	snn_detector_config c = *cfg;

	c.learn_online = 0;
	return c;
}

/* Sort streams by key, so that an export is the same for the same states. */
static int
sx_cmp(const void *a, const void *b)
{
	return strcmp(((const SxItem *) a)->s.key, ((const SxItem *) b)->s.key);
}

/* Copy every live stream of d in this database (states of d's configuration). */
static SxItem *
sx_collect(const StreamDetector *d, int *n_out, Size *bytes)
{
	dshash_table *h = ss_table();
	dsa_area   *area = rt_area();
	dshash_seq_status st;
	StreamEntry *e;
	int			n = 0,
				cap = 8;
	SxItem	   *items = palloc(cap * sizeof(SxItem));

	*bytes = sizeof(SxHeader) + sizeof(pg_crc32c);
	dshash_seq_init(&st, h, false);
	while ((e = dshash_seq_next(&st)) != NULL)
	{
		SxItem	   *it;

		if (e->k.dboid != MyDatabaseId || e->k.detector != d->id ||
			!DsaPointerIsValid(e->state) || e->cfg_hash != d->cfg_hash)
			continue;
		if (*bytes + sizeof(SxStream) + e->state_size > MaxAllocSize - VARHDRSZ)
		{
			dshash_seq_term(&st);
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the states of detector \"%s\" exceed the size of a bytea value", d->name),
					 errhint("Reset or drop streams the detector no longer needs.")));
		}
		if (n == cap)
		{
			cap *= 2;
			items = repalloc(items, cap * sizeof(SxItem));
		}
		it = &items[n++];
		memset(&it->s, 0, sizeof(SxStream));
		memcpy(it->s.key, e->k.key, SS_KEY_LEN);
		it->s.events = e->events;
		it->s.anomalies = e->anomalies;
		it->s.score_sum = e->score_sum;
		it->s.last_event = e->last_event;
		it->s.last_anomaly = e->last_anomaly;
		it->s.n_recent = e->n_recent;
		it->s.recent_pos = e->recent_pos;
		memcpy(it->s.recent, e->recent, sizeof(it->s.recent));
		it->s.cfg = e->cfg;
		it->s.state_size = e->state_size;
		it->state = palloc(e->state_size);
		memcpy(it->state, dsa_get_address(area, e->state), e->state_size);
		it->dp = InvalidDsaPointer;
		*bytes += sizeof(SxStream) + e->state_size;
	}
	dshash_seq_term(&st);
	qsort(items, n, sizeof(SxItem), sx_cmp);
	*n_out = n;
	return items;
}

/* A collected stream in the other byte order: its state, then its record. */
static void
sx_swap_to_foreign(SxItem *it)
{
	snn_error	err;

	if (snn_detector_state_swap(&it->s.cfg, it->state, it->s.state_size, 0,
								&err) != SNN_OK)
		snn_report_error(&err, "snn_detector_export");
	sx_swap_stream(&it->s);
}

PG_FUNCTION_INFO_V1(snn_detector_export);

/*
 * snn_detector_export(name text) -> bytea: every live stream of a detector
 * with its key, statistics and learned state, checksummed.
 */
Datum
snn_detector_export(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	StreamDetector d;
	SxItem	   *items;
	SxHeader	hdr;
	int			n;
	Size		bytes;
	bytea	   *out;
	char	   *p;
	pg_crc32c	crc;
	bool		swap;

	ss_require_preload();
	d = sx_owned_detector(name);
	items = sx_collect(&d, &n, &bytes);
	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.magic, SX_MAGIC, sizeof(SX_MAGIC));
	hdr.version = SX_VERSION;
	hdr.byte_order = SX_BYTE_ORDER;
	hdr.cfg_size = sizeof(snn_detector_config);
	hdr.count = n;
	hdr.seed = d.seed;
	hdr.cfg = sx_neutral(&d.cfg);
	out = palloc(VARHDRSZ + bytes);
	SET_VARSIZE(out, VARHDRSZ + bytes);
	p = VARDATA(out);
	swap = sx_export_swaps();
	if (swap)
		sx_swap_header(&hdr);
	memcpy(p, &hdr, sizeof(hdr));
	p += sizeof(hdr);
	for (int i = 0; i < n; i++)
	{
		Size		size = items[i].s.state_size;

		if (swap)
			sx_swap_to_foreign(&items[i]);
		memcpy(p, &items[i].s, sizeof(SxStream));
		p += sizeof(SxStream);
		memcpy(p, items[i].state, size);
		p += size;
	}
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, VARDATA(out), p - VARDATA(out));
	FIN_CRC32C(crc);
	/* the checksum in the value's byte order too */
	if (swap)
		crc = pg_bswap32(crc);
	memcpy(p, &crc, sizeof(crc));
	PG_RETURN_BYTEA_P(out);
}

/*
 * Refuse a value made for another configuration or seed, naming the first
 * setting that differs (the learning switch may differ: states share it).
 */
static void
sx_check_config(const StreamDetector *d, const SxHeader *hdr)
{
	snn_detector_config mine = sx_neutral(&d->cfg);
	snn_error	err;

	if (snn_detector_validate(&hdr->cfg, &err) != SNN_OK)
		SX_BAD("its configuration is invalid: %s", err.msg);
	for (int i = 0; i < snn_detector_config_nfields(); i++)
	{
		const char *f = snn_detector_config_field_name(i);
		double		theirs,
					ours;

		if (snn_detector_config_get(&hdr->cfg, f, &theirs, &err) != SNN_OK ||
			snn_detector_config_get(&mine, f, &ours, &err) != SNN_OK)
			snn_report_error(&err, "snn_detector_config_get");
		if (theirs != ours)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("detector state was exported from a detector of another configuration"),
					 errdetail("Setting \"%s\" is %g in the state and %g in detector \"%s\".",
							   f, theirs, ours, d->name),
					 errhint("Import it into a detector created with the same configuration and seed.")));
	}
	if (hdr->seed != d->seed)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("detector state was exported from a detector of another configuration"),
				 errdetail("The seed is " UINT64_FORMAT " in the state and " UINT64_FORMAT " in detector \"%s\".",
						   hdr->seed, d->seed, d->name),
				 errhint("Import it into a detector created with the same configuration and seed.")));
}

/* Check one stream record and its state; the state is copied to items. */
static void
sx_check_stream(const SxHeader *hdr, SxItem *it, const char *state,
				bool foreign)
{
	snn_detector_config a = sx_neutral(&it->s.cfg);
	snn_error	err;
	size_t		len = strnlen(it->s.key, SS_KEY_LEN);

	if (len == SS_KEY_LEN)
		SX_BAD("a stream key is not terminated");
	for (size_t i = len; i < SS_KEY_LEN; i++)
		if (it->s.key[i] != '\0')
			SX_BAD("a stream key is not zero-padded");
	if (it->s.n_recent < 0 || it->s.n_recent > SS_RECENT ||
		it->s.recent_pos < 0 || it->s.recent_pos >= SS_RECENT)
		SX_BAD("stream \"%s\" has a bad event-id ring", it->s.key);
	for (int r = 0; r < SS_RECENT; r++)
		it->s.recent[r][SS_ID_LEN - 1] = '\0';
	if (snn_detector_validate(&it->s.cfg, &err) != SNN_OK)
		SX_BAD("stream \"%s\" has an invalid configuration: %s", it->s.key, err.msg);
	for (int i = 0; i < snn_detector_config_nfields(); i++)
	{
		const char *f = snn_detector_config_field_name(i);
		double		x,
					y;

		(void) snn_detector_config_get(&a, f, &x, &err);
		(void) snn_detector_config_get(&hdr->cfg, f, &y, &err);
		if (x != y)
			SX_BAD("stream \"%s\" belongs to another configuration", it->s.key);
	}
	if (snn_detector_state_size(&it->s.cfg) != it->s.state_size)
		SX_BAD("stream \"%s\" has a state of the wrong size", it->s.key);
	it->state = palloc(it->s.state_size);
	memcpy(it->state, state, it->s.state_size);
	if (foreign &&
		snn_detector_state_swap(&it->s.cfg, it->state, it->s.state_size, 1,
								&err) != SNN_OK)
		SX_BAD("stream \"%s\": %s", it->s.key, err.msg);
	if (snn_detector_check_state(&it->s.cfg, it->state, it->s.state_size, &err) != SNN_OK)
		SX_BAD("stream \"%s\": %s", it->s.key, err.msg);
}

/*
 * Refuse a header this server cannot read (already in this server's byte
 * order), each reason with its own message.
 */
static void
sx_check_header(const SxHeader *hdr)
{
	if (hdr->byte_order != SX_BYTE_ORDER)
		SX_BAD("its byte-order mark is damaged");
	if (hdr->version != SX_VERSION)
		SX_BAD("it is of format version %u, this server reads version %u",
			   hdr->version, SX_VERSION);
	if (hdr->cfg_size != sizeof(snn_detector_config))
		SX_BAD("it was made by a build with a detector configuration of %u bytes, this one has %u",
			   hdr->cfg_size, (unsigned) sizeof(snn_detector_config));
}

/*
 * Parse and check a whole value: header, checksum, every stream and state.
 * Nothing live is touched; returns the streams (count in *n).
 */
static SxItem *
sx_parse(const StreamDetector *d, bytea *value, int *n)
{
	const char *buf = VARDATA_ANY(value);
	Size		len = VARSIZE_ANY_EXHDR(value),
				off;
	SxHeader	hdr;
	pg_crc32c	crc,
				stored;
	SxItem	   *items;
	bool		foreign;

	if (len < sizeof(SxHeader) + sizeof(pg_crc32c))
		SX_BAD("it is too short");
	memcpy(&hdr, buf, sizeof(hdr));
	if (memcmp(hdr.magic, SX_MAGIC, sizeof(SX_MAGIC)) != 0)
		SX_BAD("it is not a detector state export");
	/* the other byte order: every number is converted as it is read */
	foreign = hdr.byte_order == pg_bswap32(SX_BYTE_ORDER);
	if (foreign)
		sx_swap_header(&hdr);
	sx_check_header(&hdr);
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, buf, len - sizeof(pg_crc32c));
	FIN_CRC32C(crc);
	memcpy(&stored, buf + len - sizeof(pg_crc32c), sizeof(stored));
	if (foreign)
		stored = pg_bswap32(stored);
	if (!EQ_CRC32C(crc, stored))
		SX_BAD("its checksum does not match (damaged)");
	sx_check_config(d, &hdr);
	if (hdr.count > (len - sizeof(SxHeader)) / sizeof(SxStream))
		SX_BAD("it claims %u streams", hdr.count);
	items = palloc0(Max(hdr.count, 1) * sizeof(SxItem));
	off = sizeof(SxHeader);
	for (uint32 i = 0; i < hdr.count; i++)
	{
		SxItem	   *it = &items[i];

		CHECK_FOR_INTERRUPTS();
		if (len - sizeof(pg_crc32c) - off < sizeof(SxStream))
			SX_BAD("it is truncated");
		memcpy(&it->s, buf + off, sizeof(SxStream));
		if (foreign)
			sx_swap_stream(&it->s);
		off += sizeof(SxStream);
		if (it->s.state_size == 0 || it->s.state_size > SNN_DETECTOR_MAX_STATE ||
			len - sizeof(pg_crc32c) - off < it->s.state_size)
			SX_BAD("it is truncated");
		sx_check_stream(&hdr, it, buf + off, foreign);
		off += it->s.state_size;
		it->dp = InvalidDsaPointer;
		if (i > 0 && strcmp(items[i - 1].s.key, it->s.key) >= 0)
			SX_BAD("its streams are not in key order or repeat a key");
	}
	if (off != len - sizeof(pg_crc32c))
		SX_BAD("it has trailing bytes");
	*n = hdr.count;
	return items;
}

/* A zero-padded stream key of this database and detector. */
static void
sx_key(StreamKey *k, int64 detector, const char *key)
{
	memset(k, 0, sizeof(StreamKey));
	k->dboid = MyDatabaseId;
	k->detector = detector;
	strlcpy(k->key, key, SS_KEY_LEN);
}

/* Free the shared copies of items not installed (an error on the way). */
static void
sx_free_unused(SxItem *items, int n)
{
	dsa_area   *area = rt_area();

	for (int i = 0; i < n; i++)
		if (DsaPointerIsValid(items[i].dp))
		{
			dsa_free(area, items[i].dp);
			rt_account(RT_MEM_DETECTORS, -(int64) items[i].s.state_size);
			items[i].dp = InvalidDsaPointer;
		}
}

/* Allocate the shared copy of every state (all or none). */
static void
sx_allocate(const StreamDetector *d, SxItem *items, int n)
{
	dsa_area   *area = rt_area();

	for (int i = 0; i < n; i++)
	{
		items[i].dp = dsa_allocate_extended(area, items[i].s.state_size,
											DSA_ALLOC_NO_OOM | DSA_ALLOC_HUGE);
		if (!DsaPointerIsValid(items[i].dp))
		{
			sx_free_unused(items, n);
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("no shared memory left to import the states of detector \"%s\"", d->name),
					 errhint("Raise snn.max_memory, or drop or reset detectors.")));
		}
		rt_account(RT_MEM_DETECTORS, items[i].s.state_size);
		memcpy(dsa_get_address(area, items[i].dp), items[i].state, items[i].s.state_size);
	}
}

/* A live stream of d with that key, or false. */
static bool
sx_stream_exists(const StreamDetector *d, const char *key)
{
	dshash_table *h = ss_table();
	StreamKey	k;
	StreamEntry *e;
	bool		live = false;

	sx_key(&k, d->id, key);
	e = dshash_find(h, &k, false);
	if (e != NULL)
	{
		live = DsaPointerIsValid(e->state);
		dshash_release_lock(h, e);
	}
	return live;
}

/* Fill an entry (held exclusively) from an imported stream. */
static void
sx_fill_entry(const StreamDetector *d, StreamEntry *e, SxItem *it)
{
	if (DsaPointerIsValid(e->state))
	{
		dsa_free(rt_area(), e->state);
		rt_account(RT_MEM_DETECTORS, -(int64) e->state_size);
	}
	e->state = it->dp;
	it->dp = InvalidDsaPointer;
	e->state_size = it->s.state_size;
	e->cfg_hash = d->cfg_hash;
	e->cfg = it->s.cfg;
	e->events = it->s.events;
	e->anomalies = it->s.anomalies;
	e->score_sum = it->s.score_sum;
	e->last_event = it->s.last_event;
	e->last_anomaly = it->s.last_anomaly;
	e->n_recent = it->s.n_recent;
	e->recent_pos = it->s.recent_pos;
	memcpy(e->recent, it->s.recent, sizeof(e->recent));
}

/*
 * Take back the streams installed so far (new ones only: without replace
 * nothing was overwritten), when a stream appeared meanwhile.
 */
static void
sx_undo(const StreamDetector *d, SxItem *items, int upto)
{
	for (int i = 0; i < upto; i++)
		ss_discard(MyDatabaseId, d->id, items[i].s.key);
}

/* Install every checked stream; without replace a live stream is an error. */
static void
sx_install(const StreamDetector *d, SxItem *items, int n, bool replace)
{
	dshash_table *h = ss_table();

	for (int i = 0; i < n; i++)
	{
		StreamKey	k;
		StreamEntry *e;
		bool		found;

		sx_key(&k, d->id, items[i].s.key);
		e = dshash_find_or_insert(h, &k, &found);
		if (!found && !ss_claim_new_stream(d, e))
		{
			/* the owner's snn.detector_max_streams is reached */
			sx_undo(d, items, i);
			sx_free_unused(items, n);
			ss_limit_error(d, items[i].s.key);
		}
		else if (found && !replace && DsaPointerIsValid(e->state))
		{
			/* a stream began between the check and now */
			dshash_release_lock(h, e);
			sx_undo(d, items, i);
			sx_free_unused(items, n);
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("stream \"%s\" of detector \"%s\" already has a state", items[i].s.key, d->name),
					 errhint("Pass replace => true to overwrite it.")));
		}
		sx_fill_entry(d, e, &items[i]);
		ss_unlock_stream(e);
	}
}

PG_FUNCTION_INFO_V1(snn_detector_import);

/*
 * snn_detector_import(name text, state bytea, replace boolean) -> bigint:
 * install the streams of an export into a detector of the same
 * configuration and seed; returns the streams installed.
 */
Datum
snn_detector_import(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bytea	   *value = PG_GETARG_BYTEA_PP(1);
	bool		replace = PG_GETARG_BOOL(2);
	StreamDetector d;
	SxItem	   *items;
	int			n;

	ss_require_preload();
	d = sx_owned_detector(name);
	items = sx_parse(&d, value, &n);
	if (!replace)
		for (int i = 0; i < n; i++)
			if (sx_stream_exists(&d, items[i].s.key))
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("stream \"%s\" of detector \"%s\" already has a state", items[i].s.key, d.name),
						 errhint("Pass replace => true to overwrite it, or reset the detector first.")));
	PG_TRY();
	{
		sx_allocate(&d, items, n);
		sx_install(&d, items, n, replace);
	}
	PG_CATCH();
	{
		/* no shared memory outlives an error */
		sx_free_unused(items, n);
		PG_RE_THROW();
	}
	PG_END_TRY();
	PG_RETURN_INT64(n);
}
