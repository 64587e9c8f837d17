/*
 * snn_spiketrain_text.h: the text form of a spike train.
 *
 *     {neurons:4,steps:20,events:[1@0,3@0,0@7]}
 *
 * Three keys, always present, in this order: neurons (1..1000000), steps
 * (1..10000000) and events, a list of neuron@step pairs: "0@7" is neuron
 * 0 firing at step 7.  Numbers are unsigned decimal digits (no sign, no
 * exponent).  Blanks (space, tab, newline, carriage return) may stand
 * between any two tokens.  Every event must lie inside the shape (neuron <
 * neurons, step < steps).  Events may come in any order and may repeat:
 * the parser sorts them by (step, neuron) and drops repeats, because a
 * train is a set of events.  The formatter writes the canonical form above
 * (no blanks, events in (step, neuron) order), which parses back to the
 * same train, so output -> input -> output is the identity.
 *
 * Plain C11, no allocation: the caller supplies the buffers.
 */
#ifndef SNN_SPIKETRAIN_TEXT_H
#define SNN_SPIKETRAIN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "snn_spiketrain.h"
#include "snn_status.h"

/*
 * Room the parser needs for events: the number of '@' in text, at most
 * (len + 1) / 4 (an event takes 3 bytes and a comma), capped at
 * SNN_TRAIN_MAX_EVENTS (a longer list fails with SNN_E_LIMIT anyway).  So
 * the events never need more than twice the text's size.
 */
size_t		snn_spiketrain_text_max_events(const char *text, size_t len);

/*
 * Parse len bytes of text (no terminator needed; a NUL byte is an error).
 * On success fills the shape and events[0 .. *n_events - 1] in canonical
 * order.  cap is the room in events; give at least
 * snn_spiketrain_text_max_events().  Errors: SNN_E_SYNTAX (err->field
 * quotes the bad token, err->pos is its byte offset), SNN_E_RANGE (an
 * event outside the shape), SNN_E_LIMIT (a size over the limits),
 * SNN_E_NOMEM (cap too small).
 */
snn_status	snn_spiketrain_parse(const char *text, size_t len,
								 uint32_t *n_neurons, uint32_t *n_steps,
								 snn_event *events, size_t cap,
								 size_t *n_events, snn_error *err);

/* Bytes the canonical text of a train needs, terminating NUL included. */
size_t		snn_spiketrain_text_size(uint32_t n_neurons, uint32_t n_steps,
									 const snn_event *events, size_t n_events);

/*
 * Write the canonical text and a NUL into buf (cap bytes, at least
 * snn_spiketrain_text_size()); *len gets the length without the NUL.
 * Returns SNN_E_NOMEM when cap is too small.
 */
snn_status	snn_spiketrain_format(uint32_t n_neurons, uint32_t n_steps,
								  const snn_event *events, size_t n_events,
								  char *buf, size_t cap, size_t *len,
								  snn_error *err);

#endif							/* SNN_SPIKETRAIN_TEXT_H */
