/*
 * network.c: the snn type (a network value): text and binary I/O,
 * snn_create and snn_info.
 *
 * The text form is JSON: the normalised configuration (every parameter,
 * defaults filled in) plus the synapse tables in base64 (little-endian
 * uint32 rows and targets, float32 weights) and the training history.
 * Reading it back rebuilds the image from the configuration, fills the
 * synapse tables from base64 and validates the whole image, so a text
 * value round-trips byte for byte.  A bare configuration (no "synapses")
 * is accepted too and built like snn_create would.  The binary form is the
 * image itself, validated on receipt.
 */
#include "postgres.h"

#include <math.h>

#include "common/base64.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "network.h"
#include "snn.h"
#include "snn_trained.h"

PG_FUNCTION_INFO_V1(snn_network_in);
PG_FUNCTION_INFO_V1(snn_network_out);
PG_FUNCTION_INFO_V1(snn_network_recv);
PG_FUNCTION_INFO_V1(snn_network_send);
PG_FUNCTION_INFO_V1(snn_create);
PG_FUNCTION_INFO_V1(snn_info);

/* A network value with room for an image of size bytes (not zeroed). */
static SnnNetwork *
network_alloc(size_t size)
{
	SnnNetwork *n;

	if (size > MaxAllocSize - SNN_NETWORK_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the network would need %zu bytes, more than the limit of %zu",
						size, (size_t) (MaxAllocSize - SNN_NETWORK_HDRSZ))));
	/* not zeroed: snn_image_build zeroes it, interruptibly; recv copies */
	n = palloc(SNN_NETWORK_HDRSZ + size);
	n->pad = 0;
	SET_VARSIZE(n, SNN_NETWORK_HDRSZ + size);
	return n;
}

/* Decode a base64 synapse table into a section of exactly the right size. */
static void
fill_section(snn_image *img, snn_section s, const char *b64, const char *field)
{
	int			len = strlen(b64);
	int			cap = pg_b64_dec_len(len);
	char	   *buf = palloc(cap + 1);
	int			n = pg_b64_decode(b64, len, buf, cap);

	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid network configuration at \"%s\": invalid base64", field)));
	if ((uint64) n != img->sec[s].size)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid network configuration at \"%s\": %d bytes, expected " UINT64_FORMAT,
						field, n, img->sec[s].size)));
	memcpy((char *) img + img->sec[s].offset, buf, n);
	pfree(buf);
}

/* Text input: the trained block read back from base64, validated. */
static SnnNetwork *
attach_trained(SnnNetwork *net, const char *b64)
{
	const snn_image *img = SnnNetworkImage(net);
	int			len = strlen(b64);
	int			cap = pg_b64_dec_len(len);
	char	   *buf = palloc(cap + 1);
	int			n = pg_b64_decode(b64, len, buf, cap);
	size_t		sz;
	SnnNetwork *out;
	snn_error	err;

	if (n < (int) sizeof(snn_trained))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid network: \"trained\" is not a valid trained block")));
	snn_error_clear(&err);
	if (snn_trained_validate(img, buf, n, &err) != SNN_OK)
	{
		/* the block came from the "trained" member of the text form */
		strlcpy(err.field, "trained", sizeof(err.field));
		snn_engine_error(&err, ERRCODE_INVALID_TEXT_REPRESENTATION, "invalid network",
						 SNN_ERR_FIELD_DETAIL, "snn input");
	}
	sz = snn_image_with_section(img, SNN_SEC_NORM, buf, n, NULL, 0);
	out = palloc_extended(SNN_NETWORK_HDRSZ + sz, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	SET_VARSIZE(out, SNN_NETWORK_HDRSZ + sz);
	snn_image_with_section(img, SNN_SEC_NORM, buf, n, out->image, sz);
	((snn_image *) out->image)->flags |= SNN_FLAG_TRAINED | SNN_FLAG_HAS_NORM;
	return out;
}

/* Validate, plan, allocate and build; errors name the field. */
SnnNetwork *
snn_network_build(SnnParsedConfig *pc)
{
	snn_build_extra extra;
	snn_plan	plan;
	snn_error	err;
	SnnNetwork *net;
	void	   *scratch;
	snn_image  *img;

	memset(&extra, 0, sizeof(extra));
	extra.weights = pc->has_weights ? (const float *const *) pc->weights : NULL;
	extra.n_history = pc->n_history;
	if (pc->has_synapses)
	{
		extra.no_random = 1;
		extra.n_in_syn = pc->syn_count[0];
		extra.n_rec_syn = pc->syn_count[1];
	}
	snn_error_clear(&err);
	if (snn_image_plan(&pc->cfg, &extra, &plan, &err) != SNN_OK)
		snn_network_error(&err, "network configuration");
	net = network_alloc(plan.image_size);
	scratch = plan.scratch_size ? palloc_extended(plan.scratch_size, MCXT_ALLOC_HUGE) : NULL;
	if (snn_image_build(&pc->cfg, &extra, &plan, net->image, scratch, &err) != SNN_OK)
		snn_network_error(&err, "network build");
	if (scratch)
		pfree(scratch);
	img = (snn_image *) net->image;
	if (pc->has_synapses)
	{
		fill_section(img, SNN_SEC_IN_ROWPTR, pc->syn_b64[0][0], "synapses.input.rows");
		fill_section(img, SNN_SEC_IN_TARGET, pc->syn_b64[0][1], "synapses.input.targets");
		fill_section(img, SNN_SEC_IN_WEIGHT, pc->syn_b64[0][2], "synapses.input.weights");
		fill_section(img, SNN_SEC_REC_ROWPTR, pc->syn_b64[1][0], "synapses.recurrent.rows");
		fill_section(img, SNN_SEC_REC_TARGET, pc->syn_b64[1][1], "synapses.recurrent.targets");
		fill_section(img, SNN_SEC_REC_WEIGHT, pc->syn_b64[1][2], "synapses.recurrent.weights");
	}
	if (pc->n_history > 0)
		memcpy((char *) img + img->sec[SNN_SEC_HISTORY].offset, pc->history,
			   sizeof(snn_history_rec) * pc->n_history);
	if (snn_image_validate(img, img->total_size, &err) != SNN_OK)
		snn_engine_error(&err, ERRCODE_INVALID_TEXT_REPRESENTATION, "invalid network",
						 SNN_ERR_FIELD_DETAIL, "snn input");
	if (pc->trained_b64)
		net = attach_trained(net, pc->trained_b64);
	return net;
}

/* ---- JSON output ---- */

/* A float that reads back as the same float32. */
static void
put_float(StringInfo b, const char *key, float x)
{
	char		num[32];

	/* the shortest form that reads back as the same float32 */
	for (int prec = 6; prec <= 9; prec++)
	{
		snprintf(num, sizeof(num), "%.*g", prec, (double) x);
		if (strtof(num, NULL) == x)
			break;
	}
	appendStringInfo(b, "\"%s\": %s", key, num);
}

static void
put_neuron(StringInfo b, const snn_neuron_config *n)
{
	appendStringInfo(b, "{\"model\": \"%s\"", snn_model_name(n->model));
	if (n->model == SNN_MODEL_IZHIKEVICH)
		appendStringInfo(b, ", \"preset\": \"%s\"", snn_preset_name(n->preset));
	appendStringInfoString(b, ", ");
	if (n->model != SNN_MODEL_IZHIKEVICH)
	{
		put_float(b, "tau_m", n->tau_m);
		appendStringInfoString(b, ", ");
	}
	put_float(b, "v_rest", n->v_rest);
	appendStringInfoString(b, ", ");
	put_float(b, "v_reset", n->v_reset);
	appendStringInfoString(b, ", ");
	put_float(b, "v_th", n->v_th);
	appendStringInfoString(b, ", ");
	put_float(b, "t_ref", n->t_ref);
	appendStringInfoString(b, ", ");
	put_float(b, "tau_syn_exc", n->tau_syn_exc);
	appendStringInfoString(b, ", ");
	put_float(b, "tau_syn_inh", n->tau_syn_inh);
	appendStringInfoString(b, ", ");
	put_float(b, "bias", n->bias);
	appendStringInfoString(b, ", ");
	put_float(b, "v_init_min", n->v_init_min);
	appendStringInfoString(b, ", ");
	put_float(b, "v_init_max", n->v_init_max);
	if (n->model == SNN_MODEL_ALIF)
	{
		appendStringInfoString(b, ", ");
		put_float(b, "tau_adapt", n->tau_adapt);
		appendStringInfoString(b, ", ");
		put_float(b, "adapt_inc", n->adapt_inc);
	}
	if (n->model == SNN_MODEL_IZHIKEVICH)
	{
		appendStringInfoString(b, ", ");
		put_float(b, "a", n->izh_a);
		appendStringInfoString(b, ", ");
		put_float(b, "b", n->izh_b);
		appendStringInfoString(b, ", ");
		put_float(b, "d", n->izh_d);
	}
	appendStringInfoChar(b, '}');
}

/* One section in base64. */
static void
put_b64(StringInfo b, const char *key, const snn_image *img, snn_section s)
{
	uint64		size = img->sec[s].size;
	int			cap;
	int			n;

	if (size > (uint64) (MaxAllocSize / 4 * 3 - 16))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the network is too large for its text form; use binary COPY or snn_info")));
	cap = pg_b64_enc_len((int) size);
	enlargeStringInfo(b, cap + strlen(key) + 8);
	appendStringInfo(b, "\"%s\": \"", key);
	n = pg_b64_encode(snn_sec(img, s), (int) size, b->data + b->len, cap);
	if (n < 0)
		elog(ERROR, "base64 encoding failed");
	b->len += n;
	b->data[b->len] = '\0';
	appendStringInfoChar(b, '"');
}

static void
put_history(StringInfo b, const snn_image *img)
{
	const snn_history_rec *h = snn_sec(img, SNN_SEC_HISTORY);

	appendStringInfoChar(b, '[');
	for (uint32 i = 0; i < img->n_history; i++)
	{
		char		note[sizeof(h->note) + 1];

		memcpy(note, h[i].note, sizeof(h->note));
		note[sizeof(h->note)] = '\0';
		if (i > 0)
			appendStringInfoString(b, ", ");
		appendStringInfo(b, "{\"method\": %u, \"epochs\": %u, \"samples\": " UINT64_FORMAT
						 ", \"loss\": %.17g, \"metric\": %.17g, \"time_us\": " INT64_FORMAT ", \"note\": ",
						 h[i].method, h[i].epochs, h[i].samples,
						 isfinite(h[i].loss) ? h[i].loss : 0.0,
						 isfinite(h[i].metric) ? h[i].metric : 0.0, h[i].time_us);
		escape_json(b, note);
		appendStringInfoChar(b, '}');
	}
	appendStringInfoChar(b, ']');
}

void
snn_network_to_json(const snn_image *img, StringInfo b, bool with_synapses)
{
	const snn_config *cfg = snn_sec(img, SNN_SEC_CONFIG);

	appendStringInfo(b, "{\"format\": %d, \"kind\": \"%s\", ", SNN_IMAGE_VERSION,
					 snn_kind_name(cfg->kind));
	put_float(b, "dt", cfg->dt);
	appendStringInfo(b, ", \"seed\": " UINT64_FORMAT ", \"inputs\": %u", cfg->seed, cfg->n_inputs);
	if (cfg->kind == SNN_KIND_FEEDFORWARD)
	{
		appendStringInfoString(b, ", \"layers\": [");
		for (uint32 i = 0; i < cfg->n_layers; i++)
		{
			const snn_layer_config *l = &cfg->layers[i];

			appendStringInfo(b, "%s{\"size\": %u, ", i ? ", " : "", l->size);
			put_float(b, "connectivity", l->connectivity);
			appendStringInfoString(b, ", ");
			put_float(b, "weight_min", l->weight_min);
			appendStringInfoString(b, ", ");
			put_float(b, "weight_max", l->weight_max);
			appendStringInfoString(b, ", \"neuron\": ");
			put_neuron(b, &l->neuron);
			appendStringInfoChar(b, '}');
		}
		appendStringInfoString(b, "], \"wta\": ");
		if (cfg->wta)
		{
			appendStringInfoChar(b, '{');
			put_float(b, "inhibition", cfg->wta_inhibition);
			appendStringInfoChar(b, '}');
		}
		else
			appendStringInfoString(b, "false");
	}
	else
	{
		appendStringInfo(b, ", \"size\": %u, ", cfg->layers[0].size);
		put_float(b, "connectivity", cfg->res_connectivity);
		appendStringInfoString(b, ", ");
		put_float(b, "spectral_radius", cfg->res_spectral_radius);
		appendStringInfoString(b, ", ");
		put_float(b, "exc_ratio", cfg->res_exc_ratio);
		appendStringInfoString(b, ", ");
		put_float(b, "input_scaling", cfg->res_input_scaling);
		appendStringInfoString(b, ", ");
		put_float(b, "input_connectivity", cfg->res_input_connectivity);
		if (cfg->res_fixed_weights)
		{
			appendStringInfoString(b, ", ");
			put_float(b, "weight_exc", cfg->res_weight_exc);
			appendStringInfoString(b, ", ");
			put_float(b, "weight_inh", cfg->res_weight_inh);
		}
		appendStringInfoString(b, ", \"neuron\": ");
		put_neuron(b, &cfg->layers[0].neuron);
	}
	if (with_synapses)
	{
		appendStringInfo(b, ", \"synapses\": {\"input\": {\"count\": " UINT64_FORMAT ", ",
						 img->n_in_syn);
		put_b64(b, "rows", img, SNN_SEC_IN_ROWPTR);
		appendStringInfoString(b, ", ");
		put_b64(b, "targets", img, SNN_SEC_IN_TARGET);
		appendStringInfoString(b, ", ");
		put_b64(b, "weights", img, SNN_SEC_IN_WEIGHT);
		appendStringInfo(b, "}, \"recurrent\": {\"count\": " UINT64_FORMAT ", ", img->n_rec_syn);
		put_b64(b, "rows", img, SNN_SEC_REC_ROWPTR);
		appendStringInfoString(b, ", ");
		put_b64(b, "targets", img, SNN_SEC_REC_TARGET);
		appendStringInfoString(b, ", ");
		put_b64(b, "weights", img, SNN_SEC_REC_WEIGHT);
		appendStringInfoString(b, "}}");
	}
	if (img->n_history > 0)
	{
		appendStringInfoString(b, ", \"history\": ");
		put_history(b, img);
	}
	if (with_synapses && (img->flags & SNN_FLAG_HAS_NORM) && img->sec[SNN_SEC_NORM].size > 0)
	{
		appendStringInfoString(b, ", ");
		put_b64(b, "trained", img, SNN_SEC_NORM);
	}
	appendStringInfoChar(b, '}');
}

/* ---- type I/O ---- */

/* Text input: JSON, parsed by jsonb, then walked strictly. */
Datum
snn_network_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	Jsonb	   *jb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(str)));
	SnnParsedConfig pc;

	snn_parse_config(jb, true, &pc);
	PG_RETURN_POINTER(snn_network_build(&pc));
}

/* Text output: configuration and synapse tables, reads back identically. */
Datum
snn_network_out(PG_FUNCTION_ARGS)
{
	SnnNetwork *net = PG_GETARG_SNN_P(0);
	StringInfoData b;

	initStringInfo(&b);
	snn_network_to_json(SnnNetworkImage(net), &b, true);
	PG_RETURN_CSTRING(b.data);
}

/* Binary input: the image, validated before it is returned. */
Datum
snn_network_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	size_t		len = buf->len - buf->cursor;
	SnnNetwork *net;
	snn_error	err;

	if (len < sizeof(snn_image))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary snn: %zu bytes is shorter than the header", len)));
	net = network_alloc(len);
	memcpy(net->image, pq_getmsgbytes(buf, (int) len), len);
	snn_error_clear(&err);
	if (snn_image_validate(net->image, len, &err) != SNN_OK)
		snn_engine_error(&err, ERRCODE_INVALID_BINARY_REPRESENTATION, "invalid binary snn",
						 SNN_ERR_FIELD_DETAIL, "snn_recv");
	/* the detector's block has no text form yet: keep it out of values */
	if (SnnNetworkImage(net)->kind == SNN_KIND_FANIN)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("invalid binary snn: networks of kind fanin are not supported as snn values")));
	PG_RETURN_POINTER(net);
}

/* Binary output: the image bytes (format version in its header). */
Datum
snn_network_send(PG_FUNCTION_ARGS)
{
	SnnNetwork *net = PG_GETARG_SNN_P(0);
	const snn_image *img = SnnNetworkImage(net);
	StringInfoData b;

	pq_begintypsend(&b);
	pq_sendbytes(&b, (const char *) img, (int) img->total_size);
	PG_RETURN_BYTEA_P(pq_endtypsend(&b));
}

/* snn_create(config jsonb): the one constructor for every kind. */
Datum
snn_create(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	SnnParsedConfig pc;

	snn_parse_config(jb, false, &pc);
	PG_RETURN_POINTER(snn_network_build(&pc));
}

/* snn_info(snn): architecture, sizes, bytes and training history. */
Datum
snn_info(PG_FUNCTION_ARGS)
{
	SnnNetwork *net = PG_GETARG_SNN_P(0);
	const snn_image *img = SnnNetworkImage(net);
	const snn_layer *L = snn_layers(img);
	StringInfoData b;

	initStringInfo(&b);
	appendStringInfo(&b, "{\"kind\": \"%s\", \"format\": %u, \"inputs\": %u, \"neurons\": %u, ",
					 snn_kind_name(img->kind), img->version, img->n_inputs, img->n_neurons);
	put_float(&b, "dt", img->dt);
	appendStringInfo(&b, ", \"seed\": " UINT64_FORMAT ", \"layers\": [", img->seed);
	for (uint32 i = 0; i < img->n_layers; i++)
	{
		appendStringInfo(&b, "%s{\"size\": %u, \"first_neuron\": %u, \"model\": \"%s\"",
						 i ? ", " : "", L[i].size, L[i].first_neuron, snn_model_name(L[i].model));
		if (L[i].model == SNN_MODEL_IZHIKEVICH)
			appendStringInfo(&b, ", \"preset\": \"%s\"", snn_preset_name(L[i].p.preset));
		appendStringInfoChar(&b, '}');
	}
	appendStringInfo(&b, "], \"wta\": %s, \"synapses\": {\"input\": " UINT64_FORMAT
					 ", \"recurrent\": " UINT64_FORMAT ", \"total\": " UINT64_FORMAT "}, "
					 "\"bytes\": " UINT64_FORMAT ", \"state_bytes\": " UINT64_FORMAT,
					 (img->flags & SNN_FLAG_WTA) ? "true" : "false",
					 img->n_in_syn, img->n_rec_syn, img->n_in_syn + img->n_rec_syn,
					 img->total_size, img->state_size);
	if (img->n_history > 0)
	{
		appendStringInfoString(&b, ", \"history\": ");
		put_history(&b, img);
	}
	appendStringInfoString(&b, ", \"config\": ");
	snn_network_to_json(img, &b, false);
	appendStringInfoChar(&b, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(b.data)));
}
