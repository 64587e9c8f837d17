/*
 * jsonb_opts.h: reading options and configurations from jsonb, the one
 * reader behind snn_train's options, network configurations and detector
 * configurations.
 *
 * Each reader names its fields its own way in errors ("option \"seed\"",
 * "invalid network configuration at \"layers[0].size\":", "detector
 * configuration field \"seed\""), given once as a JsonbOptsStyle; the
 * typed getters check the JSON type and raise 22023 naming the field, and
 * a number too large for a double is 22003, never infinity.
 */
#ifndef SNN_JSONB_OPTS_H
#define SNN_JSONB_OPTS_H

#include "postgres.h"

#include "utils/jsonb.h"

/* How a reader names a field in its errors. */
typedef struct JsonbOptsStyle
{
	const char *field_fmt;		/* one %s, the field: "option \"%s\"" */
	bool		say_got;		/* type errors end with ", got <JSON type>" */
} JsonbOptsStyle;

/* The value of key in an object container, or NULL when absent. */
extern JsonbValue *jsonb_opts_find(JsonbContainer *c, const char *key);

/* Raise 22023: the field is not of type want ("a number", "a string"). */
extern void jsonb_opts_type_error(const JsonbOptsStyle *st, const char *field,
								  const char *want, const JsonbValue *v) pg_attribute_noreturn();

/* A JSON number as a finite double. */
extern double jsonb_opts_number(const JsonbOptsStyle *st, const char *field,
								const JsonbValue *v);

/* A JSON string as a new C string. */
extern char *jsonb_opts_string(const JsonbOptsStyle *st, const char *field,
							   const JsonbValue *v);

/* A JSON boolean. */
extern bool jsonb_opts_bool(const JsonbOptsStyle *st, const char *field,
							const JsonbValue *v);

/* Calls fn(ctx, key, value) for each key of an object container, in order. */
typedef void (*jsonb_opts_key_fn) (void *ctx, const char *key, JsonbValue *v);
extern void jsonb_opts_walk(JsonbContainer *c, jsonb_opts_key_fn fn, void *ctx);

#endif							/* SNN_JSONB_OPTS_H */
