/*
 * snn_spikes_text.h: the text form of a TTFS pattern, "[0,3,_,12]".
 *
 * One element a neuron, in neuron order (neuron 0 first): the step of its
 * first spike, an integer 0..254, or "_" when the neuron stays silent
 * (stored as SNN_SILENT, 255).  ASCII whitespace is allowed around every
 * token and around the brackets; nothing else is.  Plain C11, no postgres.h.
 */
#ifndef SNN_SPIKES_TEXT_H
#define SNN_SPIKES_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "snn_distance.h"
#include "snn_status.h"

#define SNN_SPIKES_MAX_DIM		65535	/* most neurons in one pattern */
#define SNN_SPIKES_MAX_STEP		254 /* latest step a neuron can fire at */

/* Bytes snn_spikes_format needs for dim neurons, the final NUL included. */
#define SNN_SPIKES_TEXT_CAP(dim)	((size_t) (dim) * 4 + 2)

/*
 * Parse a NUL-terminated literal into out[0 .. *dim - 1].
 *
 * Errors: SNN_E_SYNTAX (missing bracket, bad or empty element, junk after
 * "]"), SNN_E_RANGE (a step outside 0..254), SNN_E_EMPTY ("[]"), SNN_E_LIMIT
 * (more than SNN_SPIKES_MAX_DIM neurons), SNN_E_NOMEM (more neurons than
 * cap).  The message quotes the offending token (clipped to 40 bytes) and
 * err->pos is its byte offset.  out may be partly written on failure.
 */
snn_status	snn_spikes_parse(const char *text, uint8_t *out, size_t cap,
							 size_t *dim, snn_error *err);

/*
 * Upper bound of the neurons text can hold, for sizing out: every neuron
 * takes a token and a separator.  Never more than SNN_SPIKES_MAX_DIM + 1,
 * so a buffer of this size lets the parser detect an over-long literal.
 */
size_t		snn_spikes_parse_bound(const char *text);

/*
 * Write the canonical text of t[0 .. dim - 1] ("[0,3,_,12]", no spaces)
 * into buf, NUL-terminated.  Returns the length without the NUL, or 0 when
 * cap < SNN_SPIKES_TEXT_CAP(dim) (nothing is written then).
 */
size_t		snn_spikes_format(const uint8_t *t, size_t dim, char *buf, size_t cap);

#endif							/* SNN_SPIKES_TEXT_H */
