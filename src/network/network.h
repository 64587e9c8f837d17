/*
 * network.h: the snn SQL type, a varlena around the engine's flat image.
 *
 * The value is 8 bytes of header (varlena length and padding) followed by
 * the image of src/engine/snn_image.h, so a detoasted value (palloc'd,
 * 8-byte aligned; the type has double alignment on disk) gives the engine
 * an 8-byte aligned image it reads in place.
 */
#ifndef SNN_NETWORK_H
#define SNN_NETWORK_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "snn_image.h"

typedef struct SnnNetwork
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint32		pad;			/* keeps the image 8-byte aligned */
	char		image[FLEXIBLE_ARRAY_MEMBER];
} SnnNetwork;

#define SNN_NETWORK_HDRSZ			offsetof(SnnNetwork, image)
#define SnnNetworkImage(n)			((const snn_image *) (n)->image)
#define DatumGetSnnNetwork(x)		((SnnNetwork *) PG_DETOAST_DATUM(x))
#define PG_GETARG_SNN_P(n)			DatumGetSnnNetwork(PG_GETARG_DATUM(n))

/* A parsed configuration: the engine config plus explicit dense weights. */
typedef struct SnnParsedConfig
{
	snn_config	cfg;
	float	   *weights[SNN_MAX_LAYERS];	/* NULL: random */
	bool		has_weights;
	/* text input only: synapse sections and history in base64 */
	bool		has_synapses;
	char	   *syn_b64[2][3];	/* [input|recurrent][rows|targets|weights] */
	uint64		syn_count[2];
	int			n_history;
	snn_history_rec *history;
	char	   *trained_b64;	/* text input only: the trained block */
} SnnParsedConfig;

/*
 * Parse a configuration from jsonb (snn_create) or from the text form
 * (snn_in, which also accepts "format", "synapses" and "history").  Every
 * unknown key, wrong type or bad value is an error naming the field.
 */
extern void snn_parse_config(Jsonb *jb, bool text_form, SnnParsedConfig *out);

/* Build a network value from a parsed configuration (validated first). */
extern SnnNetwork *snn_network_build(SnnParsedConfig *pc);

/* snn_create(jsonb), also called directly by the runtime (runtime_ops.c). */
extern Datum snn_create(PG_FUNCTION_ARGS);

/* Append the JSON text form of a network to buf. */
extern void snn_network_to_json(const snn_image *img, StringInfo buf, bool with_synapses);

/* Raise an engine error with its field, in a context. */
extern void snn_network_error(const snn_error *err, const char *context) pg_attribute_noreturn();

#endif							/* SNN_NETWORK_H */
