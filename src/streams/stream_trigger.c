/*
 * stream_trigger.c: snn_detect(), the trigger function that feeds inserted
 * events to a detector.
 *
 *   CREATE TRIGGER ... AFTER INSERT ON events
 *     [REFERENCING NEW TABLE AS new_events] FOR EACH {ROW | STATEMENT}
 *     EXECUTE FUNCTION snn_detect(detector, features, key_column,
 *                                 id_column, time_column);
 *
 * features is one column name or several separated by commas (numeric
 * columns) or one float8[]/float4[] column; key, id and time columns may be
 * '' (one stream; no event id; the transaction's start time).  The
 * statement form reads the transition table in chunks of ST_CHUNK events,
 * groups each chunk by stream key and steps each stream's events (in their
 * insertion order) under one lock; anomalies and scores are still recorded
 * in insertion order.  An event whose
 * alarm fires becomes a row of snn_anomalies (inserted as the extension's
 * owner) and a NOTIFY snn_anomalies with that row as JSON, both part of the
 * inserting transaction.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "snn.h"
#include "runtime.h"
#include "stream.h"

#define ST_RUN_MAX	1024		/* events stepped under one lock at most */
#define ST_CHUNK	8192		/* transition table events grouped at a time */

/* How this trigger reads its table (built at the first call of a statement). */
typedef struct StTrig
{
	Oid			tgoid;
	char		detector[NAMEDATALEN];
	int			nfeat;
	bool		feat_array;		/* one array column holds the features */
	AttrNumber	feat[SNN_DETECTOR_MAX_FEATURES];
	Oid			feat_type[SNN_DETECTOR_MAX_FEATURES];
	char		feat_name[SNN_DETECTOR_MAX_FEATURES][NAMEDATALEN];
	AttrNumber	key_att;
	FmgrInfo	key_out;
	AttrNumber	id_att;
	FmgrInfo	id_out;
	AttrNumber	ts_att;
	char		score_table[2 * NAMEDATALEN + 8];	/* quoted, or "" */
} StTrig;

/* Scores of a statement, for the optional score table. */
typedef struct StScores
{
	int			n;
	int			cap;
	Datum	   *ids;
	bool	   *id_null;
	Datum	   *scores;
} StScores;

/* One anomaly found while the stream was locked, recorded afterwards. */
typedef struct StAnomaly
{
	int64		seq;			/* ordinal of its event in the statement */
	char	   *event_id;
	char	   *key;
	TimestampTz at;
	double		score;
	const char *type;
	const char *severity;
	int			feature;
	int			n_spiking;
	int32	   *spiking;
	int			n_recent;
	char	  **recent;
} StAnomaly;

static SPIPlanPtr st_plan = NULL;

/* A column of the trigger's table by name: clear error if missing. */
static AttrNumber
st_column(Relation rel, const char *name, const char *what)
{
	TupleDesc	td = RelationGetDescr(rel);

	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(td, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			return a->attnum;
	}
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("snn_detect: %s column \"%s\" does not exist in table \"%s\"",
					what, name, RelationGetRelationName(rel))));
	return InvalidAttrNumber;
}

/* Is typid a number type snn_detect reads as a feature? */
static bool
st_numeric_type(Oid typid)
{
	return typid == INT2OID || typid == INT4OID || typid == INT8OID ||
		typid == FLOAT4OID || typid == FLOAT8OID || typid == NUMERICOID;
}

/* Parse and check the trigger's arguments against its table. */
static void
st_build(StTrig *t, TriggerData *td)
{
	Trigger    *tg = td->tg_trigger;
	Relation	rel = td->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	char	   *list;
	char	   *tok;
	char	   *save;
	const StreamDetector *d;

	memset(t, 0, sizeof(StTrig));
	t->tgoid = tg->tgoid;
	if (tg->tgnargs < 2 || tg->tgnargs > 6)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snn_detect needs 2 to 6 arguments: detector, feature column(s), key column, event id column, time column, score table"),
				 errhint("Pass '' to leave out the key, id or time column.")));
	if (strlen(tg->tgargs[0]) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("detector \"%s\" does not exist", tg->tgargs[0])));
	strlcpy(t->detector, tg->tgargs[0], NAMEDATALEN);
	d = sd_lookup(t->detector);

	list = pstrdup(tg->tgargs[1]);
	for (tok = strtok_r(list, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save))
	{
		AttrNumber	att;
		Oid			typid;

		if (t->nfeat >= SNN_DETECTOR_MAX_FEATURES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("snn_detect: at most %d feature columns", SNN_DETECTOR_MAX_FEATURES)));
		att = st_column(rel, tok, "feature");
		typid = TupleDescAttr(desc, att - 1)->atttypid;
		if (typid == FLOAT8ARRAYOID || typid == FLOAT4ARRAYOID)
			t->feat_array = true;
		else if (!st_numeric_type(typid))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("snn_detect: feature column \"%s\" has type %s, not a number type or float8[]",
							tok, format_type_be(typid))));
		t->feat[t->nfeat] = att;
		t->feat_type[t->nfeat] = typid;
		strlcpy(t->feat_name[t->nfeat], tok, NAMEDATALEN);
		t->nfeat++;
	}
	if (t->nfeat == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snn_detect: no feature column given")));
	if (t->feat_array && t->nfeat != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snn_detect: an array feature column must be the only feature column")));
	if (!t->feat_array && t->nfeat != d->cfg.n_features)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("detector \"%s\" takes %d features, the trigger names %d columns",
						d->name, d->cfg.n_features, t->nfeat)));

	if (tg->tgnargs > 2 && tg->tgargs[2][0] != '\0')
	{
		Oid			out;
		bool		varlena;

		t->key_att = st_column(rel, tg->tgargs[2], "key");
		getTypeOutputInfo(TupleDescAttr(desc, t->key_att - 1)->atttypid, &out, &varlena);
		fmgr_info_cxt(out, &t->key_out, CurrentMemoryContext);
	}
	if (tg->tgnargs > 3 && tg->tgargs[3][0] != '\0')
	{
		Oid			out;
		bool		varlena;

		t->id_att = st_column(rel, tg->tgargs[3], "event id");
		getTypeOutputInfo(TupleDescAttr(desc, t->id_att - 1)->atttypid, &out, &varlena);
		fmgr_info_cxt(out, &t->id_out, CurrentMemoryContext);
	}
	if (tg->tgnargs > 4 && tg->tgargs[4][0] != '\0')
	{
		Oid			typid;

		t->ts_att = st_column(rel, tg->tgargs[4], "time");
		typid = TupleDescAttr(desc, t->ts_att - 1)->atttypid;
		if (typid != TIMESTAMPTZOID && typid != TIMESTAMPOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("snn_detect: time column \"%s\" has type %s, not timestamptz or timestamp",
							tg->tgargs[4], format_type_be(typid))));
	}
	if (tg->tgnargs > 5 && tg->tgargs[5][0] != '\0')
	{
		List	   *names = stringToQualifiedNameList(tg->tgargs[5]);
		RangeVar   *rv = makeRangeVarFromNameList(names);
		Oid			relid = RangeVarGetRelid(rv, NoLock, false);

		snprintf(t->score_table, sizeof(t->score_table), "%s",
				 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
											get_rel_name(relid)));
	}
}

/* Keep the score of the statement's seq-th event for the score table. */
static void
st_keep_score(StScores *sc, int64 seq, const char *id, double score, MemoryContext outer)
{
	MemoryContext old = MemoryContextSwitchTo(outer);

	if (seq >= sc->cap)
	{
		while (seq >= sc->cap)
			sc->cap = sc->cap ? sc->cap * 2 : 1024;
		sc->ids = sc->ids ? repalloc_huge(sc->ids, sizeof(Datum) * sc->cap) : palloc(sizeof(Datum) * sc->cap);
		sc->id_null = sc->id_null ? repalloc_huge(sc->id_null, sizeof(bool) * sc->cap) : palloc(sizeof(bool) * sc->cap);
		sc->scores = sc->scores ? repalloc_huge(sc->scores, sizeof(Datum) * sc->cap) : palloc(sizeof(Datum) * sc->cap);
	}
	sc->id_null[seq] = id == NULL;
	sc->ids[seq] = id ? CStringGetTextDatum(id) : (Datum) 0;
	sc->scores[seq] = Float8GetDatum(score);
	if (seq >= sc->n)
		sc->n = seq + 1;
	MemoryContextSwitchTo(old);
}

/* Write the statement's scores to the score table in one INSERT. */
static void
st_write_scores(const StTrig *t, StScores *sc)
{
	char		sql[512];
	Datum		args[2];
	Oid			types[2] = {TEXTARRAYOID, FLOAT8ARRAYOID};
	int			dims[1] = {sc->n};
	int			lbs[1] = {1};
	int			nest;

	if (sc->n == 0)
		return;
	args[0] = PointerGetDatum(construct_md_array(sc->ids, sc->id_null, 1, dims, lbs,
												 TEXTOID, -1, false, TYPALIGN_INT));
	args[1] = PointerGetDatum(construct_array(sc->scores, sc->n, FLOAT8OID, 8,
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	snprintf(sql, sizeof(sql),
			 "INSERT INTO %s (event_id, score) SELECT u.i, u.s "
			 "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) WITH ORDINALITY AS u(i, s, o) "
			 "ORDER BY u.o",
			 t->score_table);
	SPI_connect();
	nest = snn_safe_path_enter();
	if (SPI_execute_with_args(sql, 2, types, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not write scores to %s", t->score_table);
	snn_safe_path_leave(nest);
	SPI_finish();
}

/* A number datum as a double. */
static double
st_number(Datum v, Oid typid)
{
	switch (typid)
	{
		case INT2OID:
			return DatumGetInt16(v);
		case INT4OID:
			return DatumGetInt32(v);
		case INT8OID:
			return (double) DatumGetInt64(v);
		case FLOAT4OID:
			return DatumGetFloat4(v);
		case FLOAT8OID:
			return DatumGetFloat8(v);
		default:
			return DatumGetFloat8(DirectFunctionCall1(numeric_float8, v));
	}
}

/*
 * Read one event from a slot: false when a feature, key or time is NULL
 * (such events are not scored).
 */
static bool
st_read(const StTrig *t, const StreamDetector *d, TupleTableSlot *slot, double *feats,
		char **key, char **id, TimestampTz *at)
{
	bool		isnull;
	Datum		v;
	snn_error	err;

	if (t->feat_array)
	{
		ArrayType  *arr;
		Datum	   *el;
		bool	   *nl;
		int			n;
		bool		f8 = t->feat_type[0] == FLOAT8ARRAYOID;

		v = slot_getattr(slot, t->feat[0], &isnull);
		if (isnull)
			return false;
		arr = DatumGetArrayTypeP(v);
		deconstruct_array(arr, f8 ? FLOAT8OID : FLOAT4OID, f8 ? 8 : 4, f8 ? FLOAT8PASSBYVAL : true,
						  f8 ? TYPALIGN_DOUBLE : TYPALIGN_INT, &el, &nl, &n);
		if (n != d->cfg.n_features)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("detector \"%s\" takes %d features, column \"%s\" holds %d",
							d->name, d->cfg.n_features, t->feat_name[0], n)));
		for (int i = 0; i < n; i++)
		{
			if (nl[i])
				return false;
			feats[i] = f8 ? DatumGetFloat8(el[i]) : DatumGetFloat4(el[i]);
		}
	}
	else
	{
		for (int i = 0; i < t->nfeat; i++)
		{
			v = slot_getattr(slot, t->feat[i], &isnull);
			if (isnull)
				return false;
			feats[i] = st_number(v, t->feat_type[i]);
		}
	}
	/* refused before a stream is made for it */
	if (snn_detector_check_features(&d->cfg, feats, d->cfg.n_features, &err) != SNN_OK)
		snn_report_error(&err, "snn_detect trigger");
	*key = "";
	if (t->key_att)
	{
		v = slot_getattr(slot, t->key_att, &isnull);
		if (isnull)
			return false;
		*key = OutputFunctionCall((FmgrInfo *) &t->key_out, v);
	}
	*id = NULL;
	if (t->id_att)
	{
		v = slot_getattr(slot, t->id_att, &isnull);
		if (!isnull)
			*id = OutputFunctionCall((FmgrInfo *) &t->id_out, v);
	}
	*at = GetCurrentTransactionStartTimestamp();
	if (t->ts_att)
	{
		v = slot_getattr(slot, t->ts_att, &isnull);
		if (isnull)
			return false;
		*at = DatumGetTimestampTz(v);
		if (TIMESTAMP_NOT_FINITE(*at))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("snn_detect: the time of an event must be finite")));
	}
	return true;
}

/* Severity from how far above the threshold the score lies. */
static const char *
st_severity(double score, double threshold)
{
	double		span = 1.0 - threshold;
	double		over = span > 0 ? (score - threshold) / span : 1.0;

	if (over >= 0.75)
		return "critical";
	if (over >= 0.5)
		return "high";
	if (over >= 0.25)
		return "medium";
	return "low";
}

/* Capture an alarm while the stream is locked: pattern and recent ids. */
static StAnomaly *
st_capture(const StreamDetector *d, StreamEntry *e, const snn_detector_detail *det,
		   double score, const char *key, const char *id, TimestampTz at)
{
	StAnomaly  *a = palloc0(sizeof(StAnomaly));
	int			n = d->cfg.res_neurons;
	uint8	   *counts = palloc(n);

	a->event_id = id ? pstrdup(id) : NULL;
	a->key = pstrdup(key);
	a->at = at;
	a->score = score;
	a->type = det->cause == SNN_CAUSE_RANGE ? "out_of_range" :
		det->cause == SNN_CAUSE_LEVEL ? "level_change" :
		det->cause == SNN_CAUSE_PREDICTION ? "prediction_error" : "novel_pattern";
	a->severity = st_severity(score, d->cfg.score_threshold);
	a->feature = det->contributing_feature;
	n = snn_detector_last_spikes(&d->cfg, dsa_get_address(rt_area(), e->state), counts, n);
	a->spiking = palloc(sizeof(int32) * Max(n, 1));
	for (int i = 0; i < n; i++)
		if (counts[i] > 0)
			a->spiking[a->n_spiking++] = i;
	a->recent = palloc(sizeof(char *) * SS_RECENT);
	for (int i = 0; i < e->n_recent; i++)
	{
		int			pos = (e->recent_pos - e->n_recent + i + SS_RECENT) % SS_RECENT;

		a->recent[a->n_recent++] = pstrdup(e->recent[pos]);
	}
	return a;
}

/* The notice sent instead of a row too long for NOTIFY: valid JSON. */
static char *
st_short_notice(const char *detector)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"detector\": ");
	escape_json(&buf, detector);
	appendStringInfoString(&buf, ", \"truncated\": true}");
	return buf.data;
}

/*
 * Insert an anomaly row (as the extension's owner, under the fixed
 * search_path, every name qualified) and NOTIFY it.
 */
static void
st_record(const StTrig *t, const StreamDetector *d, StAnomaly *a)
{
	Datum		args[11];
	char		nulls[11];
	Oid			types[11] = {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, FLOAT8OID,
	TEXTOID, TEXTOID, TEXTOID, INT4ARRAYOID, TEXTARRAYOID, TEXTOID};
	Datum	   *ids;
	Oid			save_user;
	int			save_sec;
	char	   *payload;
	bool		isnull;
	int			nest;

	memset(nulls, ' ', sizeof(nulls));
	SPI_connect();
	nest = snn_safe_path_enter();
	if (st_plan == NULL)
	{
		char		sql[1024];
		SPIPlanPtr	p;

		snprintf(sql, sizeof(sql),
				 "INSERT INTO %s.snn_anomalies AS a (detector, event_id, stream_key, event_time, "
				 "score, anomaly_type, severity, feature, spike_pattern, contributing_event_ids, "
				 "recommended_actions) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
				 "RETURNING pg_catalog.row_to_json(a)::pg_catalog.text",
				 quote_identifier(sd_schema()));
		p = SPI_prepare(sql, 11, types);
		if (p == NULL)
			elog(ERROR, "could not prepare the anomaly insert: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(p);
		st_plan = p;
	}
	args[0] = CStringGetTextDatum(d->name);
	args[1] = a->event_id ? CStringGetTextDatum(a->event_id) : (Datum) 0;
	nulls[1] = a->event_id ? ' ' : 'n';
	args[2] = CStringGetTextDatum(a->key);
	args[3] = TimestampTzGetDatum(a->at);
	args[4] = Float8GetDatum(a->score);
	args[5] = CStringGetTextDatum(a->type);
	args[6] = CStringGetTextDatum(a->severity);
	if (a->feature >= 0 && a->feature < t->nfeat && !t->feat_array)
		args[7] = CStringGetTextDatum(t->feat_name[a->feature]);
	else if (a->feature >= 0)
		args[7] = CStringGetTextDatum(psprintf("%s[%d]", t->feat_name[0], a->feature + 1));
	else
		nulls[7] = 'n';
	{
		Datum	   *sp = palloc(sizeof(Datum) * Max(a->n_spiking, 1));

		for (int i = 0; i < a->n_spiking; i++)
			sp[i] = Int32GetDatum(a->spiking[i]);
		args[8] = PointerGetDatum(construct_array(sp, a->n_spiking, INT4OID, 4, true, TYPALIGN_INT));
	}
	ids = palloc(sizeof(Datum) * Max(a->n_recent, 1));
	for (int i = 0; i < a->n_recent; i++)
		ids[i] = CStringGetTextDatum(a->recent[i]);
	args[9] = PointerGetDatum(construct_array(ids, a->n_recent, TEXTOID, -1, false, TYPALIGN_INT));
	args[10] = CStringGetTextDatum(d->actions);

	GetUserIdAndSecContext(&save_user, &save_sec);
	SetUserIdAndSecContext(sd_anomalies_owner(), save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		if (SPI_execute_plan(st_plan, args, nulls, false, 1) != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "could not record an anomaly");
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
	snn_safe_path_leave(nest);
	payload = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (strlen(payload) >= 7900)
		payload = st_short_notice(d->name);
	Async_Notify("snn_anomalies", payload);
	SPI_finish();
}

/* Step one event on its locked stream; alarms are captured into outer. */
static void
st_step(const StTrig *t, const StreamDetector *d, StreamEntry *e, const double *feats,
		const char *key, const char *id, TimestampTz at, int64 seq,
		List **anomalies, StScores *sc, MemoryContext outer)
{
	double		score;
	snn_detector_detail det;
	snn_error	err;
	snn_status	st;

	st = snn_detector_step(&d->cfg, dsa_get_address(rt_area(), e->state), feats,
						   d->cfg.n_features, ss_engine_time(at), &score, &det, &err);
	if (st != SNN_OK)
	{
		ss_unlock_stream(e);
		snn_report_error(&err, "snn_detect");
	}
	e->events++;
	e->score_sum += score;
	e->last_event = at;
	ss_remember_event(e, id);
	if (t->score_table[0] != '\0')
		st_keep_score(sc, seq, id, score, outer);
	if (det.alarm)
	{
		MemoryContext old = MemoryContextSwitchTo(outer);
		StAnomaly  *an;

		e->anomalies++;
		e->last_anomaly = GetCurrentTimestamp();
		an = st_capture(d, e, &det, score, key, id, at);
		an->seq = seq;
		*anomalies = lappend(*anomalies, an);
		MemoryContextSwitchTo(old);
	}
}

/* The row form: one event, one lock. */
static void
st_row(const StTrig *t, const StreamDetector *d, TupleTableSlot *slot,
	   List **anomalies, StScores *sc, MemoryContext outer)
{
	double		feats[SNN_DETECTOR_MAX_FEATURES];
	char	   *key;
	char	   *id;
	TimestampTz at;
	StreamEntry *e;

	if (!st_read(t, d, slot, feats, &key, &id, &at))
		return;
	e = ss_lock_stream(d, key);
	st_step(t, d, e, feats, key, id, at, 0, anomalies, sc, outer);
	ss_unlock_stream(e);
}

/* Events of a chunk of the transition table, grouped by stream. */
typedef struct StBatch
{
	int			n;
	int			nstreams;
	double	   *feats;			/* n_features per event */
	TimestampTz *at;
	char	  **id;
	int		   *stream;			/* index among the chunk's streams */
	char	  **skey;			/* key of each stream, first seen first */
	int		   *start;			/* nstreams + 1 offsets into order */
	int		   *order;			/* events by stream, each stream in order */
	HTAB	   *streams;		/* key -> stream index */
} StBatch;

typedef struct StStreamSlot
{
	char		key[SS_KEY_LEN];
	int			index;
} StStreamSlot;

/* A fresh batch in the current (chunk) memory context. */
static void
st_batch_init(StBatch *b, int nfeat)
{
	HASHCTL		ctl;

	memset(b, 0, sizeof(StBatch));
	b->feats = palloc(sizeof(double) * nfeat * ST_CHUNK);
	b->at = palloc(sizeof(TimestampTz) * ST_CHUNK);
	b->id = palloc(sizeof(char *) * ST_CHUNK);
	b->stream = palloc(sizeof(int) * ST_CHUNK);
	b->skey = palloc(sizeof(char *) * ST_CHUNK);
	b->start = palloc(sizeof(int) * (ST_CHUNK + 1));
	b->order = palloc(sizeof(int) * ST_CHUNK);
	ctl.keysize = SS_KEY_LEN;
	ctl.entrysize = sizeof(StStreamSlot);
	ctl.hcxt = CurrentMemoryContext;
	b->streams = hash_create("snn_detect streams", 64, &ctl,
							 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
}

/* Index of a stream key in the batch (a run of one key skips the hash). */
static int
st_batch_stream(StBatch *b, const char *key)
{
	StStreamSlot *slot;
	bool		found;

	if (b->n > 0 && strcmp(b->skey[b->stream[b->n - 1]], key) == 0)
		return b->stream[b->n - 1];
	ss_check_key(key);
	slot = hash_search(b->streams, key, HASH_ENTER, &found);
	if (!found)
	{
		slot->index = b->nstreams;
		b->skey[b->nstreams++] = slot->key;
	}
	return slot->index;
}

/* Read the next scorable event of the transition table into the batch. */
static bool
st_batch_add(const StTrig *t, const StreamDetector *d, StBatch *b, TupleTableSlot *slot)
{
	char	   *key;
	int			nf = d->cfg.n_features;

	if (!st_read(t, d, slot, b->feats + (size_t) b->n * nf, &key, &b->id[b->n], &b->at[b->n]))
		return false;
	b->stream[b->n] = st_batch_stream(b, key);
	b->n++;
	return true;
}

/* Order the batch's events by stream (stable: a counting sort). */
static void
st_batch_sort(StBatch *b)
{
	memset(b->start, 0, sizeof(int) * (b->nstreams + 1));
	for (int i = 0; i < b->n; i++)
		b->start[b->stream[i] + 1]++;
	for (int s = 0; s < b->nstreams; s++)
		b->start[s + 1] += b->start[s];
	for (int i = 0; i < b->n; i++)
		b->order[b->start[b->stream[i]]++] = i;
	/* start[s] now ends stream s: shift back */
	for (int s = b->nstreams; s > 0; s--)
		b->start[s] = b->start[s - 1];
	b->start[0] = 0;
}

/*
 * Step a batch stream by stream, each under one lock (renewed every
 * ST_RUN_MAX events so other streams of its partition are not held up).
 * Streams are independent, so this gives each stream the same events in
 * the same order as a walk in insertion order; seq0 + i is the statement's
 * ordinal of event i, which keeps scores and anomalies in insertion order.
 */
static void
st_batch_run(const StTrig *t, const StreamDetector *d, StBatch *b, int64 seq0,
			 List **anomalies, StScores *sc, MemoryContext outer)
{
	int			nf = d->cfg.n_features;

	st_batch_sort(b);
	for (int s = 0; s < b->nstreams; s++)
	{
		StreamEntry *e = NULL;
		int			run = 0;

		for (int j = b->start[s]; j < b->start[s + 1]; j++)
		{
			int			i = b->order[j];

			if (e != NULL && run >= ST_RUN_MAX)
			{
				ss_unlock_stream(e);
				e = NULL;
			}
			if (e == NULL)
			{
				e = ss_lock_stream(d, b->skey[s]);
				run = 0;
			}
			run++;
			st_step(t, d, e, b->feats + (size_t) i * nf, b->skey[s], b->id[i], b->at[i],
					seq0 + i, anomalies, sc, outer);
		}
		if (e != NULL)
			ss_unlock_stream(e);
	}
}

/* Anomalies in the order of their events in the statement. */
static int
st_anomaly_cmp(const ListCell *a, const ListCell *b)
{
	int64		x = ((StAnomaly *) lfirst(a))->seq;
	int64		y = ((StAnomaly *) lfirst(b))->seq;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* The statement form: the transition table in chunks of ST_CHUNK events. */
static List *
st_statement(const StTrig *t, const StreamDetector *d, TriggerData *td,
			 StScores *sc, MemoryContext outer)
{
	TupleTableSlot *slot;
	MemoryContext chunk;
	List	   *anomalies = NIL;
	int64		seq = 0;
	bool		more = true;

	if (td->tg_newtable == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("a statement-level snn_detect trigger needs REFERENCING NEW TABLE AS ...")));
	slot = MakeSingleTupleTableSlot(RelationGetDescr(td->tg_relation), &TTSOpsMinimalTuple);
	chunk = AllocSetContextCreate(CurrentMemoryContext, "snn_detect chunk", ALLOCSET_DEFAULT_SIZES);
	tuplestore_rescan(td->tg_newtable);
	while (more)
	{
		MemoryContext old = MemoryContextSwitchTo(chunk);
		StBatch		b;

		st_batch_init(&b, d->cfg.n_features);
		while (b.n < ST_CHUNK)
		{
			/* a tuple read back from disk belongs to the slot: not to chunk */
			MemoryContextSwitchTo(old);
			more = tuplestore_gettupleslot(td->tg_newtable, true, false, slot);
			MemoryContextSwitchTo(chunk);
			if (!more)
				break;
			st_batch_add(t, d, &b, slot);
		}
		st_batch_run(t, d, &b, seq, &anomalies, sc, outer);
		seq += b.n;
		MemoryContextSwitchTo(old);
		MemoryContextReset(chunk);
	}
	MemoryContextDelete(chunk);
	ExecDropSingleTupleTableSlot(slot);
	list_sort(anomalies, st_anomaly_cmp);
	return anomalies;
}

PG_FUNCTION_INFO_V1(snn_detect);

/* The trigger function: score every inserted row, record the anomalies. */
Datum
snn_detect(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	StTrig	   *t;
	StreamDetector d;
	MemoryContext outer = CurrentMemoryContext;
	StScores	sc = {0};
	List	   *anomalies = NIL;
	ListCell   *lc;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("snn_detect() must be called as a trigger")));
	if (!TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("snn_detect() must be an AFTER INSERT trigger")));
	ss_require_preload();

	t = (StTrig *) fcinfo->flinfo->fn_extra;
	if (t == NULL || t->tgoid != td->tg_trigger->tgoid)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		t = palloc(sizeof(StTrig));
		st_build(t, td);
		fcinfo->flinfo->fn_extra = t;
		MemoryContextSwitchTo(old);
	}
	d = *sd_lookup(t->detector);
	/* the table's owner chose the detector: it must be theirs to feed */
	sd_check_use(&d, td->tg_relation->rd_rel->relowner);
	if (!t->feat_array && t->nfeat != d.cfg.n_features)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("detector \"%s\" takes %d features, the trigger names %d columns",
						d.name, d.cfg.n_features, t->nfeat)));

	if (TRIGGER_FIRED_FOR_ROW(td->tg_event))
	{
		TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(td->tg_relation),
														&TTSOpsHeapTuple);

		ExecStoreHeapTuple(td->tg_trigtuple, slot, false);
		st_row(t, &d, slot, &anomalies, &sc, outer);
		ExecDropSingleTupleTableSlot(slot);
	}
	else
		anomalies = st_statement(t, &d, td, &sc, outer);

	foreach(lc, anomalies)
		st_record(t, &d, lfirst(lc));
	if (t->score_table[0] != '\0')
		st_write_scores(t, &sc);
	return PointerGetDatum(NULL);
}
