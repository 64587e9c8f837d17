/*
 * stream_detector.c: detector configurations from jsonb, this backend's
 * cache of the snn_detectors table, snn_anomaly_score(), and the helpers
 * the SQL functions of sql/install/70_streams.sql call.
 *
 * The cache is flushed by a relcache invalidation of snn_detectors that
 * every change to a detector sends (transactional: other sessions see a
 * change when it commits).  Dropping or resetting a detector, or dropping
 * the extension, discards the live states just before the transaction
 * commits.
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "common/shortest_dec.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "jsonb_opts.h"
#include "snn.h"
#include "snn_hooks.h"
#include "runtime.h"
#include "stream.h"

typedef struct SdCacheEntry
{
	char		name[NAMEDATALEN];	/* hash key */
	bool		valid;
	StreamDetector d;
} SdCacheEntry;

typedef struct SdPending
{
	Oid			dboid;
	int64		detector;
	char		key[SS_KEY_LEN];
	bool		all_keys;
	SubTransactionId subid;		/* forgotten if this subtransaction aborts */
} SdPending;

static HTAB *sd_cache = NULL;
static char sd_schema_name[NAMEDATALEN];
static Oid	sd_relid = InvalidOid;
static Oid	sd_owner = InvalidOid;
static bool sd_callbacks = false;
static List *sd_pending = NIL;

/* Mark every cached detector stale (the table changed somewhere). */
static void
sd_relcache_cb(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS st;
	SdCacheEntry *c;

	if (sd_cache == NULL || (relid != InvalidOid && relid != sd_relid))
		return;
	hash_seq_init(&st, sd_cache);
	while ((c = hash_seq_search(&st)) != NULL)
		c->valid = false;
	if (relid == InvalidOid)
		sd_relid = InvalidOid;
}

/* Discard the states of dropped or reset detectors just before commit. */
static void
sd_xact_cb(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PARALLEL_PRE_COMMIT)
	{
		foreach(lc, sd_pending)
		{
			SdPending  *p = lfirst(lc);

			ss_discard(p->dboid, p->detector, p->all_keys ? NULL : p->key);
		}
	}
	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE)
	{
		list_free_deep(sd_pending);
		sd_pending = NIL;
	}
}

/* A rolled-back subtransaction takes its drops and resets with it. */
static void
sd_subxact_cb(SubXactEvent event, SubTransactionId mySubid,
			  SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		foreach(lc, sd_pending)
		{
			SdPending  *p = lfirst(lc);

			if (p->subid == mySubid)
			{
				sd_pending = foreach_delete_current(sd_pending, lc);
				pfree(p);
			}
		}
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		foreach(lc, sd_pending)
		{
			SdPending  *p = lfirst(lc);

			if (p->subid == mySubid)
				p->subid = parentSubid;
		}
	}
}

/* Register this backend's callbacks once. */
static void
sd_register(void)
{
	HASHCTL		ctl;

	if (sd_callbacks)
		return;
	CacheRegisterRelcacheCallback(sd_relcache_cb, (Datum) 0);
	RegisterXactCallback(sd_xact_cb, NULL);
	RegisterSubXactCallback(sd_subxact_cb, NULL);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = NAMEDATALEN;
	ctl.entrysize = sizeof(SdCacheEntry);
	ctl.hcxt = TopMemoryContext;
	sd_cache = hash_create("snn detectors", 16, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	sd_callbacks = true;
}

/* The schema of the extension (and the oid of snn_detectors), via SPI. */
static void
sd_find_schema(void)
{
	bool		isnull;
	int			nest = snn_safe_path_enter();
	int			rc;

	rc = SPI_execute("SELECT n.nspname::pg_catalog.text, n.oid, e.extowner "
					 "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
					 "ON n.oid OPERATOR(pg_catalog.=) e.extnamespace "
					 "WHERE e.extname OPERATOR(pg_catalog.=) 'snn'::pg_catalog.name", true, 1);
	snn_safe_path_leave(nest);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"snn\" is not installed in this database")));
	strlcpy(sd_schema_name,
			TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
			NAMEDATALEN);
	sd_relid = get_relname_relid("snn_detectors",
								 DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
																SPI_tuptable->tupdesc, 2, &isnull)));
	sd_owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
}

/* The role anomalies are recorded as (the extension's owner). */
Oid
sd_anomalies_owner(void)
{
	(void) sd_schema();
	return sd_owner;
}

/* The extension's schema name (looked up once per backend). */
const char *
sd_schema(void)
{
	if (sd_relid == InvalidOid)
	{
		SPI_connect();
		sd_find_schema();
		SPI_finish();
	}
	return sd_schema_name;
}

/* How the errors of a detector configuration name a field. */
static const JsonbOptsStyle sd_style = {"detector configuration field \"%s\"", false};

/* One configuration field from a jsonb scalar. */
static void
sd_set_field(snn_detector_config *cfg, const char *name, JsonbValue *v)
{
	double		x;
	snn_error	err;

	if (v->type == jbvNumeric)
		x = jsonb_opts_number(&sd_style, name, v);
	else if (v->type == jbvBool)
		x = v->val.boolean ? 1.0 : 0.0;
	else if (v->type == jbvString && strcmp(name, "res_model") == 0)
	{
		char	   *s = pnstrdup(v->val.string.val, v->val.string.len);

		if (pg_strcasecmp(s, "lif") == 0)
			x = SNN_NEURON_LIF;
		else if (pg_strcasecmp(s, "alif") == 0 || pg_strcasecmp(s, "adaptive_lif") == 0)
			x = SNN_NEURON_ALIF;
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown neuron model \"%s\" in detector configuration", s),
					 errhint("Use \"lif\" or \"alif\".")));
	}
	else
		jsonb_opts_type_error(&sd_style, name, "a number", v);
	if (snn_detector_config_set(cfg, name, x, &err) != SNN_OK)
		snn_engine_error(&err, ERRCODE_INVALID_PARAMETER_VALUE,
						 "invalid detector configuration", 0, "detector configuration");
}

/* The field prefix of a configuration group, or NULL if key is no group. */
static const char *
sd_group_prefix(const char *key)
{
	if (strcmp(key, "encoder") == 0)
		return "enc_";
	if (strcmp(key, "reservoir") == 0)
		return "res_";
	if (strcmp(key, "learning") == 0)
		return "learn_";
	if (strcmp(key, "scoring") == 0)
		return "score_";
	return NULL;
}

/* How the fields of one configuration were spelled, to refuse aliases. */
typedef struct SdWalk
{
	snn_detector_config *cfg;
	uint64	   *seed;
	char	  **spelled;		/* by engine field index; NULL if not set */
} SdWalk;

/*
 * Remember that field was set as spelling: two spellings of one field
 * (reservoir.neurons and res_neurons, threshold and scoring.threshold, ...)
 * would otherwise silently pick one.
 */
static void
sd_note_spelling(SdWalk *w, const char *field, const char *spelling)
{
	for (int i = 0; i < snn_detector_config_nfields(); i++)
	{
		if (strcmp(snn_detector_config_field_name(i), field) != 0)
			continue;
		if (w->spelled[i] != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("detector configuration fields \"%s\" and \"%s\" both set \"%s\"",
							w->spelled[i], spelling, field),
					 errhint("Give each setting once.")));
		w->spelled[i] = pstrdup(spelling);
		return;
	}
}

/* Set one engine field from a scalar and remember how it was spelled. */
static void
sd_set_spelled(SdWalk *w, const char *field, const char *spelling, JsonbValue *v)
{
	sd_set_field(w->cfg, field, v);
	sd_note_spelling(w, field, spelling);
}

/*
 * The seed: an integer from 0 to 2^53 (what a jsonb number keeps exactly),
 * checked on the numeric itself so a larger one is refused, never rounded.
 */
static uint64
sd_parse_seed(JsonbValue *v)
{
	Datum		n,
				lim;

	if (v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("detector configuration field \"seed\" must be an integer from 0 to 2^53")));
	n = NumericGetDatum(v->val.numeric);
	if (!DatumGetBool(DirectFunctionCall2(numeric_eq, n,
										  DirectFunctionCall2(numeric_trunc, n, Int32GetDatum(0)))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("detector configuration field \"seed\" must be an integer from 0 to 2^53")));
	lim = NumericGetDatum(int64_to_numeric(INT64CONST(9007199254740992)));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, n, lim)) > 0 ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, n,
										  NumericGetDatum(int64_to_numeric(0)))) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("detector configuration field \"seed\" must be an integer from 0 to 2^53")));
	return (uint64) DatumGetInt64(DirectFunctionCall1(numeric_int8, n));
}

/* One object level of a configuration walk: its group and field prefix. */
typedef struct SdLevel
{
	SdWalk	   *w;
	const char *group;
	const char *prefix;
} SdLevel;

static void sd_walk(SdWalk *w, JsonbContainer *jc, const char *group, const char *prefix);

/* One key of a configuration: a group recurses once, a scalar sets a field. */
static void
sd_walk_key(void *ctx, const char *key, JsonbValue *v)
{
	SdLevel    *l = (SdLevel *) ctx;
	SdWalk	   *w = l->w;
	const char *prefix = l->prefix;

	if (prefix == NULL && (strcmp(key, "preset") == 0 || strcmp(key, "state_bytes") == 0))
		return;					/* applied first; informative only */
	if (prefix == NULL && (strcmp(key, "actions") == 0 || strcmp(key, "comment") == 0))
	{
		(void) jsonb_opts_string(&sd_style, key, v);
		return;
	}
	if (prefix == NULL && strcmp(key, "seed") == 0)
		*w->seed = sd_parse_seed(v);
	else if (prefix == NULL && strcmp(key, "threshold") == 0)
		sd_set_spelled(w, "score_threshold", key, v);
	else if (prefix == NULL && v->type == jbvBinary && sd_group_prefix(key) != NULL)
		sd_walk(w, v->val.binary.data, key, sd_group_prefix(key));
	else if (prefix != NULL)
	{
		char		full[NAMEDATALEN * 2];
		char		spelling[NAMEDATALEN * 2];

		snprintf(full, sizeof(full), "%s%s", prefix, key);
		snprintf(spelling, sizeof(spelling), "%s.%s", l->group, key);
		/* the neuron model is reservoir.model or reservoir.neuron */
		if (strcmp(full, "res_neuron") == 0)
			strlcpy(full, "res_model", sizeof(full));
		sd_set_spelled(w, full, spelling, v);
	}
	else
		sd_set_spelled(w, key, key, v);
}

/* Walk one object level: groups recurse once, scalars set fields. */
static void
sd_walk(SdWalk *w, JsonbContainer *jc, const char *group, const char *prefix)
{
	SdLevel		l = {w, group, prefix};

	jsonb_opts_walk(jc, sd_walk_key, &l);
}

/*
 * Parse a detector configuration: {"preset": name, "seed": n,
 * "threshold": x, "encoder": {...}, "reservoir": {...}, "learning": {...},
 * "scoring": {...}} or flat engine field names; validated as a whole.
 */
static void
sd_parse_config(Jsonb *j, snn_detector_config *cfg, uint64 *seed)
{
	JsonbValue *pv;
	int			preset = SNN_PRESET_GENERIC;
	snn_error	err;
	SdWalk		w;

	if (!JB_ROOT_IS_OBJECT(j))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a detector configuration must be a jsonb object")));
	pv = jsonb_opts_find(&j->root, "preset");
	if (pv != NULL)
	{
		char	   *name = jsonb_opts_string(&sd_style, "preset", pv);

		preset = snn_detector_preset_from_name(name);
		if (preset < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown detector preset \"%s\"", name),
					 errhint("Use generic, security, performance, business or sensor.")));
	}
	if (snn_detector_config_default(preset, cfg, &err) != SNN_OK)
		snn_report_error(&err, "snn_detector_config_default");
	*seed = 42;
	w.cfg = cfg;
	w.seed = seed;
	w.spelled = palloc0(sizeof(char *) * snn_detector_config_nfields());
	sd_walk(&w, &j->root, NULL, NULL);
	if (snn_detector_validate(cfg, &err) != SNN_OK)
		snn_engine_error(&err, ERRCODE_INVALID_PARAMETER_VALUE,
						 "invalid detector configuration", 0, "detector configuration");
	if (snn_detector_state_size(cfg) > SNN_DETECTOR_MAX_STATE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the state of one stream would exceed %d bytes", SNN_DETECTOR_MAX_STATE)));
}

PG_FUNCTION_INFO_V1(snn_detector_settings);

/*
 * snn_detector_settings(config jsonb) -> jsonb: the effective configuration
 * (preset defaults overridden by the given fields), flat, with every field.
 */
Datum
snn_detector_settings(PG_FUNCTION_ARGS)
{
	Jsonb	   *j = PG_GETARG_JSONB_P(0);
	snn_detector_config cfg;
	uint64		seed;
	StringInfoData buf;
	snn_error	err;

	sd_parse_config(j, &cfg, &seed);
	initStringInfo(&buf);
	appendStringInfo(&buf, "{\"preset\": \"%s\", \"seed\": " UINT64_FORMAT,
					 snn_detector_preset_name(cfg.preset), seed);
	for (int i = 0; i < snn_detector_config_nfields(); i++)
	{
		const char *name = snn_detector_config_field_name(i);
		double		x;

		if (strcmp(name, "preset") == 0)
			continue;
		if (snn_detector_config_get(&cfg, name, &x, &err) != SNN_OK)
			snn_report_error(&err, "snn_detector_config_get");
		{
			char		num[DOUBLE_SHORTEST_DECIMAL_LEN];

			double_to_shortest_decimal_buf(x, num);
			appendStringInfo(&buf, ", \"%s\": %s", name, num);
		}
	}
	appendStringInfo(&buf, ", \"state_bytes\": %zu}", snn_detector_state_size(&cfg));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}

PG_FUNCTION_INFO_V1(snn_detector_preset_actions);

/* snn_detector_preset_actions(preset text): the preset's recommended actions. */
Datum
snn_detector_preset_actions(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			preset = snn_detector_preset_from_name(name);

	if (preset < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown detector preset \"%s\"", name)));
	PG_RETURN_TEXT_P(cstring_to_text(snn_detector_recommended_actions(preset)));
}

/*
 * Rules a detector saved before they existed keeps: stored settings that
 * name no score_range_history were saved when a value beyond the range was
 * certain at once, so it stays (the engine hashes 0 as before the field).
 */
static void
sd_legacy_rules(Jsonb *settings, snn_detector_config *cfg)
{
	if (jsonb_opts_find(&settings->root, "score_range_history") == NULL)
		cfg->score_range_history = 0;
}

/* Load a detector's row into a cache entry (SPI; errors if missing). */
static void
sd_load(SdCacheEntry *c, const char *name)
{
	char		sql[256];
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	bool		isnull;
	HeapTuple	tup;
	TupleDesc	td;
	Jsonb	   *settings;
	StreamDetector *d = &c->d;
	snn_detector_config cfg;
	int64		seed_l;
	int			nest;
	int			rc;

	SPI_connect();
	if (sd_relid == InvalidOid)
		sd_find_schema();
	snprintf(sql, sizeof(sql),
			 "SELECT id, settings, seed, frozen, actions, owner::pg_catalog.oid "
			 "FROM %s.snn_detectors WHERE name OPERATOR(pg_catalog.=) $1",
			 quote_identifier(sd_schema_name));
	args[0] = CStringGetTextDatum(name);
	nest = snn_safe_path_enter();
	rc = SPI_execute_with_args(sql, 1, argtypes, args, NULL, true, 1);
	snn_safe_path_leave(nest);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read snn_detectors");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("detector \"%s\" does not exist", name),
				 errhint("Create it with snn_detector_create().")));
	tup = SPI_tuptable->vals[0];
	td = SPI_tuptable->tupdesc;
	memset(d, 0, sizeof(StreamDetector));
	strlcpy(d->name, name, NAMEDATALEN);
	d->id = DatumGetInt64(SPI_getbinval(tup, td, 1, &isnull));
	settings = DatumGetJsonbP(SPI_getbinval(tup, td, 2, &isnull));
	seed_l = DatumGetInt64(SPI_getbinval(tup, td, 3, &isnull));
	d->frozen = DatumGetBool(SPI_getbinval(tup, td, 4, &isnull));
	d->owner = DatumGetObjectId(SPI_getbinval(tup, td, 6, &isnull));
	{
		Datum		a = SPI_getbinval(tup, td, 5, &isnull);

		if (!isnull)
			text_to_cstring_buffer(DatumGetTextPP(a), d->actions, sizeof(d->actions));
	}
	{
		uint64		parsed_seed;
		int32		learn;

		sd_parse_config(settings, &cfg, &parsed_seed);
		sd_legacy_rules(settings, &cfg);
		SPI_finish();
		d->seed = (uint64) seed_l;
		d->state_size = snn_detector_state_size(&cfg);
		/* the state belongs to the configuration without the learning switch */
		learn = cfg.learn_online;
		cfg.learn_online = 0;
		d->cfg_hash = hash_bytes_extended((const unsigned char *) &cfg, sizeof(cfg), d->seed);
		/* learning: on unless the configuration or a freeze turns it off */
		cfg.learn_online = learn && !d->frozen;
		d->cfg = cfg;
	}
	c->valid = true;
}

/* The detector called name, from this backend's cache or the table. */
const StreamDetector *
sd_lookup(const char *name)
{
	SdCacheEntry *c;
	bool		found;
	char		key[NAMEDATALEN];

	sd_register();
	if (strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("detector \"%s\" does not exist", name)));
	memset(key, 0, sizeof(key));
	strlcpy(key, name, NAMEDATALEN);
	c = hash_search(sd_cache, key, HASH_ENTER, &found);
	if (!found)
		c->valid = false;
	if (!c->valid)
		sd_load(c, name);
	return &c->d;
}

/*
 * Events reach a detector only from its owner (or a member of that role):
 * role is the caller of snn_anomaly_score, or the owner of the table of an
 * snn_detect trigger.  Superusers pass.
 */
void
sd_check_use(const StreamDetector *d, Oid role)
{
	const char *owner;

	if (is_member_of_role(role, d->owner))
		return;
	owner = GetUserNameFromId(d->owner, true);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for detector \"%s\"", d->name),
			 errdetail("Only role \"%s\" and its members may feed events to it.",
					   owner ? owner : "?")));
}

PG_FUNCTION_INFO_V1(snn_anomaly_score);

/*
 * snn_anomaly_score(detector, features, key, at): feed one event to the
 * stream `key` of a detector and return its score in [0, 1].
 */
Datum
snn_anomaly_score(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(2));
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(3);
	StreamDetector d;
	StreamEntry *e;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	double		feats[SNN_DETECTOR_MAX_FEATURES];
	double		score;
	snn_detector_detail det;
	snn_error	err;
	snn_status	st;

	ss_require_preload();
	d = *sd_lookup(name);
	sd_check_use(&d, GetUserId());
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("features must be a one-dimensional array (one event), not %d-dimensional",
						ARR_NDIM(arr))));
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	if (n != d.cfg.n_features)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("detector \"%s\" takes %d features, got %d", name, d.cfg.n_features, n)));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("feature %d is NULL", i + 1)));
		feats[i] = DatumGetFloat8(elems[i]);
	}
	/* refused before a stream is made for it */
	if (snn_detector_check_features(&d.cfg, feats, n, &err) != SNN_OK)
		snn_report_error(&err, "snn_anomaly_score");
	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("the event time must be finite")));

	e = ss_lock_stream(&d, key);
	st = snn_detector_step(&d.cfg, dsa_get_address(rt_area(), e->state), feats, n,
						   ss_engine_time(at), &score, &det, &err);
	if (st == SNN_OK)
	{
		e->events++;
		e->score_sum += score;
		e->last_event = at;
	}
	ss_unlock_stream(e);
	if (st != SNN_OK)
		snn_report_error(&err, "snn_anomaly_score");
	PG_RETURN_FLOAT8(score);
}

PG_FUNCTION_INFO_V1(snn_detector_new_id);

/* A detector id that is not reused, not even after DROP EXTENSION. */
Datum
snn_detector_new_id(PG_FUNCTION_ARGS)
{
	static int64 last = 0;
	int64		id = (int64) GetCurrentTimestamp() * 4 + (MyProcPid & 3);

	if (id <= last)
		id = last + 4;
	last = id;
	PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(snn_detector_invalidate);

/* Tell every session (at commit) that snn_detectors changed. */
void
sd_invalidate(void)
{
	sd_register();
	(void) sd_schema();
	if (sd_relid != InvalidOid)
		CacheInvalidateRelcacheByRelid(sd_relid);
}

/* snn_detector_invalidate(): sd_invalidate for SQL (not for PUBLIC). */
Datum
snn_detector_invalidate(PG_FUNCTION_ARGS)
{
	sd_invalidate();
	PG_RETURN_VOID();
}

/*
 * Discard the live states of a detector of this database at commit (key
 * NULL: every stream of it; detector -1: of every detector).
 */
void
sd_discard_at_commit(int64 detector, text *key)
{
	SdPending  *p;
	MemoryContext old;

	if (!ss_available())
		return;
	sd_register();
	old = MemoryContextSwitchTo(TopMemoryContext);
	p = palloc0(sizeof(SdPending));
	p->dboid = MyDatabaseId;
	p->detector = detector;
	p->all_keys = key == NULL;
	p->subid = GetCurrentSubTransactionId();
	if (key != NULL)
		text_to_cstring_buffer(key, p->key, SS_KEY_LEN);
	sd_pending = lappend(sd_pending, p);
	MemoryContextSwitchTo(old);
}

/*
 * DROP EXTENSION snn (also through DROP SCHEMA ... CASCADE) takes the
 * detector definitions with it: free this database's live states when it
 * commits, as snn_detector_drop does.  A rolled-back drop keeps them.
 */
static void
sd_object_access(ObjectAccessType access, Oid classId, Oid objectId,
				 int subId, void *arg)
{
	if (access == OAT_DROP && classId == ExtensionRelationId && ss_available())
	{
		char	   *name = get_extension_name(objectId);

		if (name != NULL && strcmp(name, "snn") == 0)
			sd_discard_at_commit(-1, NULL);
	}
}

/* Install the drop hook (from _PG_init when preloaded). */
void
sd_install_hooks(void)
{
	snn_object_access_register(sd_object_access);
}

PG_FUNCTION_INFO_V1(snn_detector_discard);

/* Discard live states of a detector (one key, or all if NULL) at commit. */
Datum
snn_detector_discard(PG_FUNCTION_ARGS)
{
	sd_register();
	if (PG_ARGISNULL(0))
		PG_RETURN_VOID();
	if (!PG_ARGISNULL(1) && VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(1)) >= SS_KEY_LEN)
		PG_RETURN_VOID();		/* no such stream can exist */
	sd_discard_at_commit(PG_GETARG_INT64(0),
						 PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1));
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(snn_detector_save);

/* snn_detector_save(): write every stream's state to disk now. */
Datum
snn_detector_save(PG_FUNCTION_ARGS)
{
	ss_require_preload();
	(void) ss_table();
	PG_RETURN_INT64(ss_save());
}

PG_FUNCTION_INFO_V1(snn_stat_detector_streams);

/*
 * One row per live stream of the current database (behind the views).  A
 * stream's key is NULL unless the caller has the privileges of the role
 * whose detector began it or of pg_read_all_stats (keys are user data, as
 * query texts are for pg_stat_statements); a stream reloaded from a
 * version 1 file has no owner until its next event, so only the latter.
 */
Datum
snn_stat_detector_streams(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	dshash_seq_status st;
	StreamEntry *e;
	Oid			me = GetUserId();
	bool		all = has_privs_of_role(me, ROLE_PG_READ_ALL_STATS);

	ss_require_preload();
	InitMaterializedSRF(fcinfo, 0);
	dshash_seq_init(&st, ss_table(), false);
	while ((e = dshash_seq_next(&st)) != NULL)
	{
		Datum		v[8];
		bool		n[8] = {0};

		if (e->k.dboid != MyDatabaseId)
			continue;
		v[0] = Int64GetDatum(e->k.detector);
		v[1] = CStringGetTextDatum(e->k.key);
		n[1] = !all && !(OidIsValid(e->owner) && has_privs_of_role(me, e->owner));
		v[2] = Int64GetDatum(e->events);
		v[3] = Int64GetDatum(e->anomalies);
		v[4] = Float8GetDatum(e->score_sum);
		v[5] = TimestampTzGetDatum(e->last_event);
		n[5] = e->events == 0;
		v[6] = TimestampTzGetDatum(e->last_anomaly);
		n[6] = e->anomalies == 0;
		v[7] = Int64GetDatum((int64) (DsaPointerIsValid(e->state) ? e->state_size : 0));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	dshash_seq_term(&st);
	return (Datum) 0;
}
