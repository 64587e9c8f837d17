/*
 * jsonb_opts.c: typed reading of jsonb options (jsonb_opts.h).
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"
#include "utils/numeric.h"

#include "jsonb_opts.h"

/* The field as the reader's messages name it. */
static char *
jsonb_opts_name(const JsonbOptsStyle *st, const char *field)
{
	return psprintf(st->field_fmt, field);
}

/* Raise 22023: the field is not of the wanted JSON type. */
void
jsonb_opts_type_error(const JsonbOptsStyle *st, const char *field,
					  const char *want, const JsonbValue *v)
{
	char	   *name = jsonb_opts_name(st, field);

	if (st->say_got)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s, got %s", name, want,
						JsonbTypeName((JsonbValue *) v))));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be %s", name, want)));
}

/* The value of key in an object container, or NULL. */
JsonbValue *
jsonb_opts_find(JsonbContainer *c, const char *key)
{
	JsonbValue	k;

	if (c == NULL)
		return NULL;
	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	return findJsonbValueFromContainer(c, JB_FOBJECT, &k);
}

/*
 * A JSON number as a double, read from its decimal text as float8 input
 * does; one too large for a double is 22003 naming the field.
 */
double
jsonb_opts_number(const JsonbOptsStyle *st, const char *field, const JsonbValue *v)
{
	char	   *s;
	double		d;

	if (v->type != jbvNumeric)
		jsonb_opts_type_error(st, field, "a number", v);
	s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	d = strtod(s, NULL);
	if (!isfinite(d))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %.20s%s is out of range", jsonb_opts_name(st, field),
						s, strlen(s) > 20 ? "..." : "")));
	pfree(s);
	return d;
}

/* A JSON string as a new C string. */
char *
jsonb_opts_string(const JsonbOptsStyle *st, const char *field, const JsonbValue *v)
{
	if (v->type != jbvString)
		jsonb_opts_type_error(st, field, "a string", v);
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* A JSON boolean. */
bool
jsonb_opts_bool(const JsonbOptsStyle *st, const char *field, const JsonbValue *v)
{
	if (v->type != jbvBool)
		jsonb_opts_type_error(st, field, "true or false", v);
	return v->val.boolean;
}

/* Each key of an object container with its value, in jsonb's key order. */
void
jsonb_opts_walk(JsonbContainer *c, jsonb_opts_key_fn fn, void *ctx)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	v;
	JsonbIteratorToken tok;
	char	   *key = NULL;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
			key = pnstrdup(v.val.string.val, v.val.string.len);
		else if (tok == WJB_VALUE)
			fn(ctx, key, &v);	/* key lives on: fn may keep it */
	}
}
