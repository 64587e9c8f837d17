/*
 * network_config.c: reading a network configuration from jsonb.
 *
 * jsonb does the JSON syntax; this walk does the rest strictly: every key
 * must be known for its kind and model, every value of the right type and
 * range, and every error names the field by its path ("layers[1].neuron.
 * tau_m").  The result is an engine snn_config, which the engine validates
 * again (ranges, limits) before anything is allocated.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "jsonb_opts.h"
#include "network.h"
#include "snn.h"

/* Raise a configuration error for a field. */
static void
			field_error(int code, const char *path, const char *fmt,...)
			pg_attribute_printf(3, 4) pg_attribute_noreturn();

static void
field_error(int code, const char *path, const char *fmt,...)
{
	char		msg[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ereport(ERROR,
			(errcode(code),
			 errmsg("invalid network configuration at \"%s\": %s", path, msg)));
}

/* Raise an engine error, putting the field into the message. */
void
snn_network_error(const snn_error *err, const char *context)
{
	snn_engine_error(err, 0, "invalid network configuration",
					 SNN_ERR_FIELD_IN_MSG | SNN_ERR_CONTEXT, context);
}

/* "path.key" in a new string. */
static char *
join(const char *path, const char *key)
{
	return path[0] ? psprintf("%s.%s", path, key) : pstrdup(key);
}

/* How the errors of a configuration name a field: by its path. */
static const JsonbOptsStyle cfg_style = {"invalid network configuration at \"%s\":", true};

/* A JSON number as a double; anything else is an error. */
static double
get_number(JsonbValue *v, const char *path)
{
	return jsonb_opts_number(&cfg_style, path, v);
}

/* A JSON number that fits a float. */
static float
get_float(JsonbValue *v, const char *path)
{
	double		d = get_number(v, path);

	if (fabs(d) > FLT_MAX)
		field_error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, path, "%g is out of range for a float", d);
	return (float) d;
}

/* A whole number in [0, max]. */
static uint64
get_uint(JsonbValue *v, const char *path, uint64 max, int limit_code)
{
	double		d = get_number(v, path);

	if (d != floor(d))
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, path, "must be a whole number, got %g", d);
	if (d < 0)
		field_error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, path, "must not be negative, got %g", d);
	if (d > (double) max)
		field_error(limit_code, path, "must be at most " UINT64_FORMAT ", got %.0f", max, d);
	return (uint64) d;
}

/* A JSON string as a C string. */
static char *
get_string(JsonbValue *v, const char *path)
{
	return jsonb_opts_string(&cfg_style, path, v);
}

/* The container of a nested object (or array when want_array). */
static JsonbContainer *
get_container(JsonbValue *v, const char *path, bool want_array)
{
	if (v->type != jbvBinary ||
		(want_array ? !JsonContainerIsArray(v->val.binary.data) :
		 !JsonContainerIsObject(v->val.binary.data)))
		jsonb_opts_type_error(&cfg_style, path, want_array ? "an array" : "an object", v);
	return v->val.binary.data;
}

/* Look up one key of an object, or NULL. */
static JsonbValue *
lookup(JsonbContainer *c, const char *key)
{
	return jsonb_opts_find(c, key);
}

/* Iterate the keys of an object: calls fn(ctx, key, value, path.key). */
typedef void (*key_fn) (void *ctx, const char *key, JsonbValue *v, const char *path);

typedef struct WalkCtx
{
	const char *path;
	key_fn		fn;
	void	   *ctx;
} WalkCtx;

/* One key of walk_object: the caller's fn with the key's path. */
static void
walk_key(void *ctx, const char *key, JsonbValue *v)
{
	WalkCtx    *w = (WalkCtx *) ctx;
	char	   *p = join(w->path, key);

	w->fn(w->ctx, key, v, p);
	pfree(p);
}

static void
walk_object(JsonbContainer *c, const char *path, key_fn fn, void *ctx)
{
	WalkCtx		w = {path, fn, ctx};

	jsonb_opts_walk(c, walk_key, &w);
}

/* Element i of an array container (a copy). */
static JsonbValue *
array_elem(JsonbContainer *c, int i)
{
	return getIthJsonbValueFromContainer(c, i);
}

/* ---- neurons ---- */

static uint32
model_from_name(const char *s, const char *path)
{
	if (strcmp(s, "lif") == 0)
		return SNN_MODEL_LIF;
	if (strcmp(s, "adaptive_lif") == 0 || strcmp(s, "alif") == 0)
		return SNN_MODEL_ALIF;
	if (strcmp(s, "izhikevich") == 0)
		return SNN_MODEL_IZHIKEVICH;
	field_error(ERRCODE_INVALID_PARAMETER_VALUE, path,
				"unknown neuron model \"%s\" (lif, adaptive_lif, izhikevich)", s);
}

static uint32
preset_from_name(const char *s, const char *path)
{
	if (strcmp(s, "regular_spiking") == 0 || strcmp(s, "rs") == 0)
		return SNN_IZH_RS;
	if (strcmp(s, "fast_spiking") == 0 || strcmp(s, "fs") == 0)
		return SNN_IZH_FS;
	if (strcmp(s, "chattering") == 0 || strcmp(s, "ch") == 0)
		return SNN_IZH_CH;
	if (strcmp(s, "intrinsically_bursting") == 0 || strcmp(s, "ib") == 0)
		return SNN_IZH_IB;
	if (strcmp(s, "custom") == 0)
		return SNN_IZH_CUSTOM;
	field_error(ERRCODE_INVALID_PARAMETER_VALUE, path,
				"unknown izhikevich preset \"%s\" (regular_spiking, fast_spiking, chattering, intrinsically_bursting, custom)", s);
}

/* Set one neuron field; fields that do not apply to the model are errors. */
static void
neuron_key(void *ctx, const char *key, JsonbValue *v, const char *path)
{
	snn_neuron_config *n = ctx;
	bool		izh = n->model == SNN_MODEL_IZHIKEVICH;
	float	   *dst = NULL;
	float		x;

	if (strcmp(key, "model") == 0 || strcmp(key, "preset") == 0)
		return;					/* handled first */
	if (strcmp(key, "v_rest") == 0)
		dst = &n->v_rest;
	else if (strcmp(key, "v_reset") == 0 || (izh && strcmp(key, "c") == 0))
		dst = &n->v_reset;
	else if (strcmp(key, "v_th") == 0)
		dst = &n->v_th;
	else if (strcmp(key, "t_ref") == 0)
		dst = &n->t_ref;
	else if (strcmp(key, "tau_syn_exc") == 0)
		dst = &n->tau_syn_exc;
	else if (strcmp(key, "tau_syn_inh") == 0)
		dst = &n->tau_syn_inh;
	else if (strcmp(key, "bias") == 0)
		dst = &n->bias;
	else if (strcmp(key, "v_init_min") == 0)
		dst = &n->v_init_min;
	else if (strcmp(key, "v_init_max") == 0)
		dst = &n->v_init_max;
	else if (!izh && strcmp(key, "tau_m") == 0)
		dst = &n->tau_m;
	else if (n->model == SNN_MODEL_ALIF && strcmp(key, "tau_adapt") == 0)
		dst = &n->tau_adapt;
	else if (n->model == SNN_MODEL_ALIF && strcmp(key, "adapt_inc") == 0)
		dst = &n->adapt_inc;
	else if (izh && strcmp(key, "a") == 0)
		dst = &n->izh_a;
	else if (izh && strcmp(key, "b") == 0)
		dst = &n->izh_b;
	else if (izh && strcmp(key, "d") == 0)
		dst = &n->izh_d;
	else
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, path,
					"unknown field for the %s model", snn_model_name(n->model));
	x = get_float(v, path);
	/* an Izhikevich parameter that differs from its preset makes it custom */
	if (izh && (dst == &n->izh_a || dst == &n->izh_b || dst == &n->izh_d || dst == &n->v_reset) &&
		*dst != x && !isnan(*dst))
		n->preset = SNN_IZH_CUSTOM;
	*dst = x;
}

/*
 * Apply a "neuron" object on top of base: a new model or preset starts
 * from that model's defaults, then the given fields override.
 */
static void
parse_neuron(JsonbValue *v, const char *path, snn_neuron_config *n)
{
	JsonbContainer *c = get_container(v, path, false);
	JsonbValue *mv = lookup(c, "model"),
			   *pv = lookup(c, "preset");
	uint32		model = n->model,
				preset = n->preset;

	if (mv)
	{
		char	   *p = join(path, "model");

		model = model_from_name(get_string(mv, p), p);
		if (model != n->model)
			preset = model == SNN_MODEL_IZHIKEVICH ? SNN_IZH_RS : SNN_IZH_CUSTOM;
	}
	if (pv)
	{
		char	   *p = join(path, "preset");

		if (model != SNN_MODEL_IZHIKEVICH)
			field_error(ERRCODE_INVALID_PARAMETER_VALUE, p,
						"presets apply to the izhikevich model only");
		preset = preset_from_name(get_string(pv, p), p);
	}
	if (model != n->model || preset != n->preset || pv)
	{
		n->model = model;
		n->preset = preset;
		snn_neuron_defaults(n);
	}
	walk_object(c, path, neuron_key, n);
}

/* ---- layers ---- */

typedef struct layer_ctx
{
	snn_layer_config *l;
	JsonbContainer **weights;
} layer_ctx;

static void
layer_key(void *ctx, const char *key, JsonbValue *v, const char *path)
{
	layer_ctx  *lc = ctx;
	snn_layer_config *l = lc->l;

	if (strcmp(key, "size") == 0)
		l->size = (uint32) get_uint(v, path, SNN_MAX_NEURONS, ERRCODE_PROGRAM_LIMIT_EXCEEDED);
	else if (strcmp(key, "neuron") == 0)
		return;					/* handled first */
	else if (strcmp(key, "connectivity") == 0)
		l->connectivity = get_float(v, path);
	else if (strcmp(key, "weight_min") == 0)
		l->weight_min = get_float(v, path);
	else if (strcmp(key, "weight_max") == 0)
		l->weight_max = get_float(v, path);
	else if (strcmp(key, "weights") == 0)
		*lc->weights = get_container(v, path, true);
	else
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, path, "unknown field of a layer");
}

/* Dense weights [fan_in][size] of one layer, checked element by element. */
static float *
parse_weights(JsonbContainer *c, const char *path, uint32 fan_in, uint32 size)
{
	int			rows = JsonContainerSize(c);
	float	   *w;

	if ((uint32) rows != fan_in)
		field_error(ERRCODE_DATA_EXCEPTION, path,
					"must have %u rows (one per source neuron), got %d", fan_in, rows);
	if ((uint64) fan_in * size > SNN_MAX_SYNAPSES)
		field_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, path,
					"a dense matrix of %u x %u is over the limit of %d synapses",
					fan_in, size, SNN_MAX_SYNAPSES);
	w = palloc_extended(sizeof(float) * (Size) fan_in * size, MCXT_ALLOC_HUGE);
	for (int r = 0; r < rows; r++)
	{
		char	   *rp = psprintf("%s[%d]", path, r);
		JsonbContainer *row = get_container(array_elem(c, r), rp, true);

		if ((uint32) JsonContainerSize(row) != size)
			field_error(ERRCODE_DATA_EXCEPTION, rp,
						"must have %u columns (one per neuron of the layer), got %u",
						size, (uint32) JsonContainerSize(row));
		for (uint32 k = 0; k < size; k++)
		{
			char	   *ep = psprintf("%s[%u]", rp, k);
			float		x = get_float(array_elem(row, (int) k), ep);

			if (fabsf(x) > 1e6f)
				field_error(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, ep,
							"weights must be within +-1e6, got %g", (double) x);
			w[(Size) r * size + k] = x;
			pfree(ep);
		}
		pfree(rp);
	}
	return w;
}

/* ---- the text form extras: synapses and history ---- */

static void
csr_key(void *ctx, const char *key, JsonbValue *v, const char *path)
{
	void	  **c = ctx;		/* [0..2] char *, [3] uint64 * */

	if (strcmp(key, "rows") == 0)
		c[0] = get_string(v, path);
	else if (strcmp(key, "targets") == 0)
		c[1] = get_string(v, path);
	else if (strcmp(key, "weights") == 0)
		c[2] = get_string(v, path);
	else if (strcmp(key, "count") == 0)
		*(uint64 *) c[3] = get_uint(v, path, SNN_MAX_SYNAPSES, ERRCODE_PROGRAM_LIMIT_EXCEEDED);
	else
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, path, "unknown field of a synapse table");
}

static void
parse_synapses(JsonbValue *v, const char *path, SnnParsedConfig *pc)
{
	JsonbContainer *c = get_container(v, path, false);
	const char *names[2] = {"input", "recurrent"};

	for (int k = 0; k < 2; k++)
	{
		char	   *p = join(path, names[k]);
		JsonbValue *t = lookup(c, names[k]);
		void	   *ctx[4] = {NULL, NULL, NULL, &pc->syn_count[k]};

		if (t == NULL)
			field_error(ERRCODE_INVALID_PARAMETER_VALUE, p, "is missing");
		walk_object(get_container(t, p, false), p, csr_key, ctx);
		for (int j = 0; j < 3; j++)
		{
			static const char *what[3] = {"rows", "targets", "weights"};

			if (ctx[j] == NULL)
				field_error(ERRCODE_INVALID_PARAMETER_VALUE, join(p, what[j]), "is missing");
			pc->syn_b64[k][j] = ctx[j];
		}
	}
	if (JsonContainerSize(c) != 2)
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, path,
					"must have exactly the fields input and recurrent");
	pc->has_synapses = true;
}

static void
history_key(void *ctx, const char *key, JsonbValue *v, const char *path)
{
	snn_history_rec *h = ctx;

	if (strcmp(key, "method") == 0)
		h->method = (uint32) get_uint(v, path, PG_UINT32_MAX, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
	else if (strcmp(key, "epochs") == 0)
		h->epochs = (uint32) get_uint(v, path, PG_UINT32_MAX, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
	else if (strcmp(key, "samples") == 0)
		h->samples = get_uint(v, path, (uint64) 1 << 53, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
	else if (strcmp(key, "loss") == 0)
		h->loss = get_number(v, path);
	else if (strcmp(key, "metric") == 0)
		h->metric = get_number(v, path);
	else if (strcmp(key, "time_us") == 0)
		h->time_us = (int64) get_uint(v, path, (uint64) 1 << 53, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
	else if (strcmp(key, "note") == 0)
	{
		char	   *s = get_string(v, path);

		if (strlen(s) >= sizeof(h->note))
			field_error(ERRCODE_STRING_DATA_RIGHT_TRUNCATION, path,
						"notes have at most %zu bytes", sizeof(h->note) - 1);
		strcpy(h->note, s);
	}
	else
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, path, "unknown field of a history record");
}

static void
parse_history(JsonbValue *v, const char *path, SnnParsedConfig *pc)
{
	JsonbContainer *c = get_container(v, path, true);
	int			n = JsonContainerSize(c);

	if (n > SNN_MAX_HISTORY)
		field_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, path, "at most %d records", SNN_MAX_HISTORY);
	pc->n_history = n;
	pc->history = palloc0(sizeof(snn_history_rec) * (n + 1));
	for (int i = 0; i < n; i++)
	{
		char	   *p = psprintf("%s[%d]", path, i);

		walk_object(get_container(array_elem(c, i), p, false), p, history_key, &pc->history[i]);
	}
}

/* ---- the top level ---- */

typedef struct top_ctx
{
	SnnParsedConfig *pc;
	bool		text_form;
	JsonbContainer *weights[SNN_MAX_LAYERS];
	bool		saw_layers;
	bool		saw_size;
} top_ctx;

static void
top_key(void *ctx, const char *key, JsonbValue *v, const char *path)
{
	top_ctx    *tc = ctx;
	snn_config *cfg = &tc->pc->cfg;
	bool		ff = cfg->kind == SNN_KIND_FEEDFORWARD;

	if (strcmp(key, "kind") == 0 || strcmp(key, "neuron") == 0)
		return;					/* handled first */
	if (ff && strcmp(key, "wta") == 0 && v->type != jbvBool &&
		(v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data)))
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, path,
					"must be true, false or an object {\"inhibition\": mV}, got %s",
					JsonbTypeName(v));
	if (strcmp(key, "dt") == 0)
		cfg->dt = get_float(v, path);
	else if (strcmp(key, "seed") == 0)
		cfg->seed = get_uint(v, path, ((uint64) 1 << 53) - 1, ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE);
	else if (strcmp(key, "inputs") == 0)
		cfg->n_inputs = (uint32) get_uint(v, path, SNN_MAX_INPUTS, ERRCODE_PROGRAM_LIMIT_EXCEEDED);
	else if (ff && strcmp(key, "layers") == 0)
	{
		JsonbContainer *c = get_container(v, path, true);
		int			n = JsonContainerSize(c);
		snn_neuron_config base = cfg->layers[0].neuron;

		if (n > SNN_MAX_LAYERS)
			field_error(ERRCODE_PROGRAM_LIMIT_EXCEEDED, path, "at most %d layers, got %d",
						SNN_MAX_LAYERS, n);
		cfg->n_layers = n;
		for (int i = 0; i < n; i++)
		{
			char	   *p = psprintf("%s[%d]", path, i);
			JsonbContainer *lc = get_container(array_elem(c, i), p, false);
			JsonbValue *nv = lookup(lc, "neuron");
			layer_ctx	ctx = {&cfg->layers[i], &tc->weights[i]};

			cfg->layers[i].neuron = base;
			if (nv)
				parse_neuron(nv, join(p, "neuron"), &cfg->layers[i].neuron);
			if (lookup(lc, "size") == NULL)
				field_error(ERRCODE_INVALID_PARAMETER_VALUE, join(p, "size"), "is missing");
			walk_object(lc, p, layer_key, &ctx);
		}
		tc->saw_layers = true;
	}
	else if (ff && strcmp(key, "wta") == 0)
	{
		if (v->type == jbvBool)
			cfg->wta = v->val.boolean;
		else
		{
			JsonbContainer *c = get_container(v, path, false);
			JsonbIterator *it = JsonbIteratorInit(c);
			JsonbValue	kv;
			JsonbIteratorToken tok;
			char	   *k = NULL;

			cfg->wta = 1;
			while ((tok = JsonbIteratorNext(&it, &kv, true)) != WJB_DONE)
			{
				if (tok == WJB_KEY)
					k = pnstrdup(kv.val.string.val, kv.val.string.len);
				else if (tok == WJB_VALUE)
				{
					char	   *p = join(path, k);

					if (strcmp(k, "inhibition") != 0)
						field_error(ERRCODE_INVALID_PARAMETER_VALUE, p, "unknown field of wta");
					cfg->wta_inhibition = get_float(&kv, p);
				}
			}
		}
	}
	else if (!ff && strcmp(key, "size") == 0)
	{
		cfg->layers[0].size = (uint32) get_uint(v, path, SNN_MAX_NEURONS, ERRCODE_PROGRAM_LIMIT_EXCEEDED);
		tc->saw_size = true;
	}
	else if (!ff && strcmp(key, "connectivity") == 0)
		cfg->res_connectivity = get_float(v, path);
	else if (!ff && strcmp(key, "spectral_radius") == 0)
		cfg->res_spectral_radius = get_float(v, path);
	else if (!ff && strcmp(key, "exc_ratio") == 0)
		cfg->res_exc_ratio = get_float(v, path);
	else if (!ff && strcmp(key, "input_scaling") == 0)
		cfg->res_input_scaling = get_float(v, path);
	else if (!ff && strcmp(key, "input_connectivity") == 0)
		cfg->res_input_connectivity = get_float(v, path);
	else if (!ff && strcmp(key, "weight_exc") == 0)
		cfg->res_weight_exc = get_float(v, path);
	else if (!ff && strcmp(key, "weight_inh") == 0)
		cfg->res_weight_inh = get_float(v, path);
	else if (tc->text_form && strcmp(key, "format") == 0)
	{
		if (get_uint(v, path, 1000, ERRCODE_INVALID_PARAMETER_VALUE) != SNN_IMAGE_VERSION)
			field_error(ERRCODE_INVALID_PARAMETER_VALUE, path, "unsupported format version");
	}
	else if (tc->text_form && strcmp(key, "synapses") == 0)
		parse_synapses(v, path, tc->pc);
	else if (tc->text_form && strcmp(key, "history") == 0)
		parse_history(v, path, tc->pc);
	else if (tc->text_form && strcmp(key, "trained") == 0)
	{
		/* the training area's block (SNN_SEC_NORM), base64; see train.c */
		if (v->type != jbvString)
			field_error(ERRCODE_INVALID_PARAMETER_VALUE, path, "must be a base64 string");
		tc->pc->trained_b64 = pnstrdup(v->val.string.val, v->val.string.len);
	}
	else
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, path, "unknown field of a %s network",
					snn_kind_name(cfg->kind));
}

void
snn_parse_config(Jsonb *jb, bool text_form, SnnParsedConfig *pc)
{
	JsonbContainer *root = &jb->root;
	JsonbValue *kv,
			   *nv;
	top_ctx		tc;
	char	   *kind;
	snn_kind	k;

	memset(pc, 0, sizeof(*pc));
	memset(&tc, 0, sizeof(tc));
	tc.pc = pc;
	tc.text_form = text_form;
	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a network configuration must be a JSON object")));
	kv = lookup(root, "kind");
	if (kv == NULL)
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, "kind",
					"is missing (feedforward or reservoir)");
	kind = get_string(kv, "kind");
	if (strcmp(kind, "feedforward") == 0)
		k = SNN_KIND_FEEDFORWARD;
	else if (strcmp(kind, "reservoir") == 0)
		k = SNN_KIND_RESERVOIR;
	else
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, "kind",
					"unknown kind \"%s\" (feedforward or reservoir)", kind);
	snn_config_defaults(&pc->cfg, k);

	/* the top-level neuron is the default of every layer */
	nv = lookup(root, "neuron");
	if (nv)
	{
		snn_neuron_config n = pc->cfg.layers[0].neuron;

		snn_neuron_config chk;
		snn_error	err;

		parse_neuron(nv, "neuron", &n);
		/* report a bad default neuron under its own name, not a layer's */
		chk = n;
		snn_error_clear(&err);
		if (snn_neuron_validate(&chk, "neuron", &err) != SNN_OK)
			snn_network_error(&err, "network configuration");
		for (int i = 0; i < SNN_MAX_LAYERS; i++)
			pc->cfg.layers[i].neuron = n;
	}
	walk_object(root, "", top_key, &tc);

	if (k == SNN_KIND_FEEDFORWARD && !tc.saw_layers)
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, "layers", "is missing");
	if (k == SNN_KIND_RESERVOIR && !tc.saw_size)
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, "size", "is missing");
	if (k == SNN_KIND_FEEDFORWARD && lookup(root, "inputs") == NULL)
		field_error(ERRCODE_INVALID_PARAMETER_VALUE, "inputs", "is missing");

	for (uint32 i = 0; k == SNN_KIND_FEEDFORWARD && i < pc->cfg.n_layers; i++)
	{
		if (tc.weights[i])
		{
			uint32		fan_in = i == 0 ? pc->cfg.n_inputs : pc->cfg.layers[i - 1].size;

			if (pc->cfg.layers[i].size == 0 || fan_in == 0)
				continue;		/* the engine names the empty layer */
			pc->weights[i] = parse_weights(tc.weights[i], psprintf("layers[%u].weights", i),
										   fan_in, pc->cfg.layers[i].size);
			pc->has_weights = true;
		}
	}
}
