/*
 * stream_admin.c: creating, dropping, freezing and resetting detectors.
 *
 * Ordinary roles have no INSERT, UPDATE or DELETE on snn_detectors (with
 * them they could rewrite any row's owner).  These functions run as their
 * caller, check what the caller may do (create: always, as the owner of
 * the new detector; the rest: only on a detector the caller owns, or whose
 * owner role the caller is a member of; superusers pass), and only then
 * change the row as the extension's owner: each statement names every
 * object schema-qualified and runs under the fixed search_path, like the
 * anomaly insert of snn_detect.  No function of this file is SECURITY
 * DEFINER, so the caller's identity is always GetUserId().
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "snn.h"
#include "stream.h"

extern Datum snn_detector_settings(PG_FUNCTION_ARGS);

/*
 * Run one statement as the extension's owner under the fixed search_path
 * (the caller is connected to SPI); returns the rows processed.
 */
static uint64
sa_run(const char *sql, int nargs, Oid *types, Datum *args, int expect)
{
	Oid			owner = sd_anomalies_owner();
	Oid			save_user;
	int			save_sec;
	int			nest;
	int			rc;

	GetUserIdAndSecContext(&save_user, &save_sec);
	nest = snn_safe_path_enter();
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		rc = SPI_execute_with_args(sql, nargs, types, args, NULL, false, 0);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
	snn_safe_path_leave(nest);
	if (rc != expect)
		elog(ERROR, "snn detector statement failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/* A name argument that must not be NULL. */
static char *
sa_name_arg(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("detector name must not be NULL")));
	return text_to_cstring(PG_GETARG_TEXT_PP(0));
}

/*
 * The id of the detector called name, its row locked, once the caller is
 * shown to own it (or to be a member of its owner role).
 */
static int64
sa_own(const char *name)
{
	char	   *sql;
	Oid			types[1] = {TEXTOID};
	Datum		args[1];
	bool		isnull;
	Oid			owner;
	int64		id;

	sql = psprintf("SELECT id, owner::pg_catalog.oid FROM %s.snn_detectors "
				   "WHERE name OPERATOR(pg_catalog.=) $1 FOR UPDATE",
				   quote_identifier(sd_schema()));
	args[0] = CStringGetTextDatum(name);
	if (sa_run(sql, 1, types, args, SPI_OK_SELECT) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("detector \"%s\" does not exist", name)));
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (!is_member_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of detector \"%s\"", name)));
	return id;
}

PG_FUNCTION_INFO_V1(snn_detector_create);

/*
 * snn_detector_create(name, config) -> id: a new detector owned by the
 * caller; the effective settings, seed and actions come from the config.
 */
Datum
snn_detector_create(PG_FUNCTION_ARGS)
{
	char	   *name = sa_name_arg(fcinfo);
	Datum		settings;
	char	   *sql;
	Oid			types[4] = {TEXTOID, JSONBOID, JSONBOID, OIDOID};
	Datum		args[4];
	bool		isnull;
	int64		id;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("detector configuration must not be NULL")));
	settings = DirectFunctionCall1(snn_detector_settings, PG_GETARG_DATUM(1));
	sql = psprintf("INSERT INTO %1$s.snn_detectors (name, config, settings, seed, actions, owner) "
				   "VALUES ($1, $2, $3, ($3 OPERATOR(pg_catalog.->>) 'seed')::pg_catalog.int8, "
				   "COALESCE($2 OPERATOR(pg_catalog.->>) 'actions', "
				   "%1$s.snn_detector_preset_actions($3 OPERATOR(pg_catalog.->>) 'preset')), "
				   "$4::pg_catalog.regrole) ON CONFLICT (name) DO NOTHING RETURNING id",
				   quote_identifier(sd_schema()));
	args[0] = PG_GETARG_DATUM(0);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = settings;
	args[3] = ObjectIdGetDatum(GetUserId());
	SPI_connect();
	if (sa_run(sql, 4, types, args, SPI_OK_INSERT_RETURNING) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("detector \"%s\" already exists", name)));
	id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	sd_invalidate();
	PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(snn_detector_drop);

/* snn_detector_drop(name): the row now, the live states at commit. */
Datum
snn_detector_drop(PG_FUNCTION_ARGS)
{
	char	   *name = sa_name_arg(fcinfo);
	char	   *sql;
	Oid			types[1] = {INT8OID};
	Datum		args[1];
	int64		id;

	SPI_connect();
	id = sa_own(name);
	sql = psprintf("DELETE FROM %s.snn_detectors WHERE id OPERATOR(pg_catalog.=) $1",
				   quote_identifier(sd_schema()));
	args[0] = Int64GetDatum(id);
	(void) sa_run(sql, 1, types, args, SPI_OK_DELETE);
	SPI_finish();
	sd_discard_at_commit(id, NULL);
	sd_invalidate();
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(snn_detector_reset);

/* snn_detector_reset(name, key): forget one stream (or all) at commit. */
Datum
snn_detector_reset(PG_FUNCTION_ARGS)
{
	char	   *name = sa_name_arg(fcinfo);
	int64		id;

	SPI_connect();
	id = sa_own(name);
	SPI_finish();
	if (PG_ARGISNULL(1))
		sd_discard_at_commit(id, NULL);
	else if (VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(1)) < SS_KEY_LEN)
		sd_discard_at_commit(id, PG_GETARG_TEXT_PP(1));
	/* (a longer key names no stream) */
	sd_invalidate();
	PG_RETURN_VOID();
}

/* Store the frozen flag of a detector the caller owns. */
static void
sa_set_frozen(const char *name, bool frozen)
{
	char	   *sql;
	Oid			types[2] = {INT8OID, BOOLOID};
	Datum		args[2];

	SPI_connect();
	args[0] = Int64GetDatum(sa_own(name));
	args[1] = BoolGetDatum(frozen);
	sql = psprintf("UPDATE %s.snn_detectors SET frozen = $2 WHERE id OPERATOR(pg_catalog.=) $1",
				   quote_identifier(sd_schema()));
	(void) sa_run(sql, 2, types, args, SPI_OK_UPDATE);
	SPI_finish();
	sd_invalidate();
}

PG_FUNCTION_INFO_V1(snn_detector_freeze);

/* snn_detector_freeze(name): stop online learning. */
Datum
snn_detector_freeze(PG_FUNCTION_ARGS)
{
	sa_set_frozen(sa_name_arg(fcinfo), true);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(snn_detector_unfreeze);

/* snn_detector_unfreeze(name): resume online learning. */
Datum
snn_detector_unfreeze(PG_FUNCTION_ARGS)
{
	sa_set_frozen(sa_name_arg(fcinfo), false);
	PG_RETURN_VOID();
}
