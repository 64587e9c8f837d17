/*
 * snn_spiketrain_text.c: parser and formatter of the spiketrain text form
 * (grammar in snn_spiketrain_text.h).
 *
 * A hand-written recursive-descent parser over a byte range: it never
 * reads past len, never allocates, saturates numbers instead of
 * overflowing, and reports the first bad token quoted with its offset.
 */
#include "snn_spiketrain_text.h"

#include <stdio.h>
#include <string.h>

#include "snn_events.h"

/* numbers saturate here: above every limit, far below UINT64_MAX */
#define NUM_SATURATED	UINT64_C(100000000000000)

typedef struct parser
{
	const char *text;
	size_t		len;
	size_t		pos;
	snn_error  *err;
} parser;

/* Blanks allowed between tokens. */
static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Characters that end a token in error messages. */
static int
is_delim(unsigned char c)
{
	return is_blank(c) || c == ',' || c == ':' || c == '@' ||
		c == '[' || c == ']' || c == '{' || c == '}';
}

/*
 * Copy a printable rendering of text[from, to) into out (at most cap - 1
 * bytes), escaping anything outside printable ASCII as \xNN so error
 * messages stay valid text whatever the input.
 */
static void
render(const char *text, size_t from, size_t to, char *out, size_t cap)
{
	size_t		o = 0;
	size_t		i;

	for (i = from; i < to; i++)
	{
		unsigned char c = (unsigned char) text[i];
		int			printable = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';

		/* keep room for "..." and the NUL */
		if (o + (printable ? 1 : 4) + 4 > cap)
			break;
		if (printable)
			out[o++] = (char) c;
		else
			o += (size_t) snprintf(out + o, cap - o, "\\x%02x", c);
	}
	if (i < to)
	{
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* The token starting at pos: up to 24 bytes, to the next delimiter. */
static void
token_at(const parser *p, size_t pos, char *out, size_t cap)
{
	size_t		end = pos;

	if (pos < p->len && is_delim((unsigned char) p->text[pos]))
		end = pos + 1;
	else
		while (end < p->len && end - pos < 24 && !is_delim((unsigned char) p->text[end]))
			end++;
	render(p->text, pos, end, out, cap);
}

/* A syntax error naming what was expected and quoting what was found. */
static snn_status
syntax_error(parser *p, const char *expected)
{
	char		tok[48];

	if (p->err)
		p->err->pos = p->pos;
	if (p->pos >= p->len)
		return snn_fail(p->err, SNN_E_SYNTAX, "",
						"invalid input syntax for type spiketrain: expected %s at position %zu, found end of input",
						expected, p->pos);
	token_at(p, p->pos, tok, sizeof(tok));
	return snn_fail(p->err, SNN_E_SYNTAX, tok,
					"invalid input syntax for type spiketrain: expected %s at position %zu, found \"%s\"",
					expected, p->pos, tok);
}

/* Skip blanks; return the next byte or -1 at the end. */
static int
peek(parser *p)
{
	while (p->pos < p->len && is_blank((unsigned char) p->text[p->pos]))
		p->pos++;
	return p->pos < p->len ? (unsigned char) p->text[p->pos] : -1;
}

/* Consume one expected punctuation character. */
static snn_status
expect_char(parser *p, char c, const char *what)
{
	if (peek(p) != (unsigned char) c)
		return syntax_error(p, what);
	p->pos++;
	return SNN_OK;
}

/* Consume a key and its colon, e.g. "neurons:". */
static snn_status
expect_key(parser *p, const char *key, const char *what)
{
	size_t		n = strlen(key);

	peek(p);
	if (p->len - p->pos < n || memcmp(p->text + p->pos, key, n) != 0 ||
		(p->pos + n < p->len && !is_delim((unsigned char) p->text[p->pos + n])))
		return syntax_error(p, what);
	p->pos += n;
	return expect_char(p, ':', "\":\"");
}

/* Unsigned decimal; saturates at NUM_SATURATED.  *start gets its offset. */
static snn_status
parse_uint(parser *p, const char *what, uint64_t *val, size_t *start)
{
	uint64_t	v = 0;
	int			c = peek(p);

	if (c < '0' || c > '9')
		return syntax_error(p, what);
	*start = p->pos;
	while (p->pos < p->len && p->text[p->pos] >= '0' && p->text[p->pos] <= '9')
	{
		if (v < NUM_SATURATED)
			v = v * 10 + (uint64_t) (p->text[p->pos] - '0');
		if (v > NUM_SATURATED)
			v = NUM_SATURATED;
		p->pos++;
	}
	/* "12x" is one bad token, not a number followed by garbage */
	if (p->pos < p->len && !is_delim((unsigned char) p->text[p->pos]))
	{
		p->pos = *start;
		return syntax_error(p, what);
	}
	*val = v;
	return SNN_OK;
}

/* A header count (neurons or steps) within 1..max. */
static snn_status
parse_count(parser *p, const char *key, uint64_t max, uint32_t *out)
{
	char		keyw[32];
	char		tok[48];
	uint64_t	v;
	size_t		start;
	snn_status	st;

	snprintf(keyw, sizeof(keyw), "\"%s:\"", key);
	if ((st = expect_key(p, key, keyw)) != SNN_OK)
		return st;
	if ((st = parse_uint(p, "an unsigned integer", &v, &start)) != SNN_OK)
		return st;
	if (v < 1 || v > max)
	{
		render(p->text, start, p->pos, tok, sizeof(tok));
		if (p->err)
			p->err->pos = start;
		return snn_fail(p->err, v < 1 ? SNN_E_RANGE : SNN_E_LIMIT, key,
						"spiketrain %s \"%s\" is outside 1..%llu",
						key, tok, (unsigned long long) max);
	}
	*out = (uint32_t) v;
	return SNN_OK;
}

/* One neuron@step event, checked against the shape. */
static snn_status
parse_event(parser *p, uint32_t n_neurons, uint32_t n_steps, snn_event *ev)
{
	uint64_t	neuron,
				step;
	size_t		start,
				s2;
	snn_status	st;
	char		tok[48];

	if ((st = parse_uint(p, "an event neuron@step", &neuron, &start)) != SNN_OK)
		return st;
	if ((st = expect_char(p, '@', "\"@\"")) != SNN_OK)
		return st;
	if ((st = parse_uint(p, "a step after \"@\"", &step, &s2)) != SNN_OK)
		return st;
	if (neuron >= n_neurons || step >= n_steps)
	{
		render(p->text, start, p->pos, tok, sizeof(tok));
		if (p->err)
			p->err->pos = start;
		if (neuron >= n_neurons)
			return snn_fail(p->err, SNN_E_RANGE, tok,
							"spiketrain event \"%s\": the neuron is outside 0..%u",
							tok, n_neurons - 1);
		return snn_fail(p->err, SNN_E_RANGE, tok,
						"spiketrain event \"%s\": the step is outside 0..%u",
						tok, n_steps - 1);
	}
	ev->neuron = (uint32_t) neuron;
	ev->step = (uint32_t) step;
	return SNN_OK;
}

/*
 * Upper bound on events: every event has exactly one '@', and k events
 * take at least 4k - 1 bytes ("0@0" and a comma each but the last).
 */
size_t
snn_spiketrain_text_max_events(const char *text, size_t len)
{
	size_t		n = 0;
	size_t		by_length = (len + 1) / 4;
	const char *q = text;
	const char *end = text + len;

	while (q < end && (q = memchr(q, '@', (size_t) (end - q))) != NULL)
	{
		n++;
		q++;
		if (n >= by_length || n >= SNN_TRAIN_MAX_EVENTS)
			break;
	}
	if (n > by_length)
		n = by_length;
	return n > SNN_TRAIN_MAX_EVENTS ? SNN_TRAIN_MAX_EVENTS : n;
}

/* The whole grammar, then normalisation of the event set. */
snn_status
snn_spiketrain_parse(const char *text, size_t len, uint32_t *n_neurons,
					 uint32_t *n_steps, snn_event *events, size_t cap,
					 size_t *n_events, snn_error *err)
{
	parser		p = {text, len, 0, err};
	size_t		n = 0;
	snn_status	st;

	snn_error_clear(err);
	*n_events = 0;
	if ((st = expect_char(&p, '{', "\"{\"")) != SNN_OK ||
		(st = parse_count(&p, "neurons", SNN_TRAIN_MAX_NEURONS, n_neurons)) != SNN_OK ||
		(st = expect_char(&p, ',', "\",\"")) != SNN_OK ||
		(st = parse_count(&p, "steps", SNN_TRAIN_MAX_STEPS, n_steps)) != SNN_OK ||
		(st = expect_char(&p, ',', "\",\"")) != SNN_OK ||
		(st = expect_key(&p, "events", "\"events:\"")) != SNN_OK ||
		(st = expect_char(&p, '[', "\"[\"")) != SNN_OK)
		return st;
	if (peek(&p) == ']')
		p.pos++;
	else
	{
		for (;;)
		{
			snn_event	ev;

			if ((st = parse_event(&p, *n_neurons, *n_steps, &ev)) != SNN_OK)
				return st;
			if (n >= cap)
			{
				if (n >= SNN_TRAIN_MAX_EVENTS)
					return snn_fail(err, SNN_E_LIMIT, "events",
									"spiketrain has more than %d events",
									SNN_TRAIN_MAX_EVENTS);
				return snn_fail(err, SNN_E_NOMEM, "events",
								"spiketrain parser given room for only %zu events", cap);
			}
			events[n++] = ev;
			if (peek(&p) == ']')
			{
				p.pos++;
				break;
			}
			if ((st = expect_char(&p, ',', "\",\" or \"]\"")) != SNN_OK)
				return st;
		}
	}
	if ((st = expect_char(&p, '}', "\"}\"")) != SNN_OK)
		return st;
	if (peek(&p) != -1)
		return syntax_error(&p, "end of input");
	*n_events = snn_events_normalise(events, n);
	return SNN_OK;
}

/* Decimal digits of v. */
static size_t
digits(uint32_t v)
{
	size_t		d = 1;

	while (v >= 10)
	{
		v /= 10;
		d++;
	}
	return d;
}

/* Write v in decimal at out; return the bytes written. */
static size_t
put_uint(char *out, uint32_t v)
{
	size_t		d = digits(v);

	for (size_t i = d; i > 0; i--)
	{
		out[i - 1] = (char) ('0' + v % 10);
		v /= 10;
	}
	return d;
}

/* Exact size, so the caller allocates once. */
size_t
snn_spiketrain_text_size(uint32_t n_neurons, uint32_t n_steps,
						 const snn_event *events, size_t n_events)
{
	/* {neurons:N,steps:S,events:[...]} plus NUL */
	size_t		size = strlen("{neurons:,steps:,events:[]}") + 1 +
	digits(n_neurons) + digits(n_steps);

	for (size_t i = 0; i < n_events; i++)
		size += digits(events[i].neuron) + 1 + digits(events[i].step) + (i > 0);
	return size;
}

/* Canonical text: the events are written in the order they are stored. */
snn_status
snn_spiketrain_format(uint32_t n_neurons, uint32_t n_steps,
					  const snn_event *events, size_t n_events,
					  char *buf, size_t cap, size_t *len, snn_error *err)
{
	size_t		need = snn_spiketrain_text_size(n_neurons, n_steps, events, n_events);
	char	   *o = buf;

	if (cap < need)
		return snn_fail(err, SNN_E_NOMEM, "", "spiketrain text needs %zu bytes, got %zu",
						need, cap);
	memcpy(o, "{neurons:", 9);
	o += 9;
	o += put_uint(o, n_neurons);
	memcpy(o, ",steps:", 7);
	o += 7;
	o += put_uint(o, n_steps);
	memcpy(o, ",events:[", 9);
	o += 9;
	for (size_t i = 0; i < n_events; i++)
	{
		if (i > 0)
			*o++ = ',';
		o += put_uint(o, events[i].neuron);
		*o++ = '@';
		o += put_uint(o, events[i].step);
	}
	*o++ = ']';
	*o++ = '}';
	*o = '\0';
	*len = (size_t) (o - buf);
	return SNN_OK;
}
