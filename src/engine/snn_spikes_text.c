/*
 * snn_spikes_text.c: strict parser and canonical formatter of spikes text.
 *
 * The parser accepts exactly: optional whitespace, "[", one or more
 * elements separated by ",", "]", optional whitespace.  An element is
 * optional whitespace, a token, optional whitespace; a token is "_" or an
 * optionally signed decimal integer whose value is 0..254.  Everything else
 * is rejected with a message that quotes the offending token, in the manner
 * of pgvector's vector_in.  Whitespace is the ASCII set, never the locale's.
 */
#include "snn_spikes_text.h"

#include <stdio.h>
#include <string.h>

#define QUOTE_MAX 40			/* bytes of a token quoted in a message */

/* ASCII whitespace only, so the result never depends on the locale. */
static inline int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skip whitespace from p. */
static inline const char *
skip_space(const char *p)
{
	while (is_space(*p))
		p++;
	return p;
}

/*
 * Copy at most QUOTE_MAX bytes of s (len bytes) into dst for quoting,
 * backing up so that a UTF-8 sequence is never cut, and marking a clip
 * with "...".
 */
static void
clip_token(char *dst, size_t dstsize, const char *s, size_t len)
{
	size_t		n = len;
	int			clipped = 0;

	if (n > QUOTE_MAX)
	{
		n = QUOTE_MAX;
		while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
			n--;
		clipped = 1;
	}
	if (n + 4 > dstsize)
		n = dstsize - 4;
	memcpy(dst, s, n);
	if (clipped)
	{
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
}

/* Length of the token at p: up to a separator, whitespace or the end. */
static size_t
token_length(const char *p)
{
	size_t		n = 0;

	while (p[n] != '\0' && p[n] != ',' && p[n] != ']' && !is_space(p[n]))
		n++;
	return n;
}

/*
 * Decode one token into a step byte.  "_" is silent; otherwise an optional
 * sign and at least one decimal digit, nothing else.  Values saturate while
 * reading, so a thousand digits are simply out of range.
 */
static snn_status
decode_token(const char *tok, size_t len, size_t neuron, uint8_t *out,
			 snn_error *err, size_t pos)
{
	char		quoted[QUOTE_MAX + 8];
	size_t		i = 0;
	int			negative = 0;
	uint32_t	value = 0;

	if (len == 1 && tok[0] == '_')
	{
		*out = SNN_SILENT;
		return SNN_OK;
	}
	clip_token(quoted, sizeof(quoted), tok, len);
	if (tok[0] == '+' || tok[0] == '-')
	{
		negative = tok[0] == '-';
		i = 1;
	}
	if (i == len)
	{
		snn_fail(err, SNN_E_SYNTAX, quoted,
				 "invalid input syntax for type spikes: \"%s\" at neuron %zu (expected an integer step or \"_\")",
				 quoted, neuron);
		if (err)
			err->pos = pos;
		return SNN_E_SYNTAX;
	}
	for (; i < len; i++)
	{
		if (tok[i] < '0' || tok[i] > '9')
		{
			snn_fail(err, SNN_E_SYNTAX, quoted,
					 "invalid input syntax for type spikes: \"%s\" at neuron %zu (expected an integer step or \"_\")",
					 quoted, neuron);
			if (err)
				err->pos = pos;
			return SNN_E_SYNTAX;
		}
		if (value <= 100000)
			value = value * 10 + (uint32_t) (tok[i] - '0');
	}
	if ((negative && value != 0) || value > SNN_SPIKES_MAX_STEP)
	{
		snn_fail(err, SNN_E_RANGE, quoted,
				 "spike step \"%s\" at neuron %zu is out of range (0 to %d, or \"_\" for silent)",
				 quoted, neuron, SNN_SPIKES_MAX_STEP);
		if (err)
			err->pos = pos;
		return SNN_E_RANGE;
	}
	*out = (uint8_t) value;
	return SNN_OK;
}

/*
 * Fail with a syntax error that quotes the whole literal (clipped) and says
 * what is wrong at byte offset p - text.
 */
static snn_status
fail_at(snn_error *err, const char *text, const char *p, const char *what)
{
	char		quoted[QUOTE_MAX + 8];

	clip_token(quoted, sizeof(quoted), text, strlen(text));
	snn_fail(err, SNN_E_SYNTAX, "", "malformed spikes literal \"%s\": %s",
			 quoted, what);
	if (err)
		err->pos = (size_t) (p - text);
	return SNN_E_SYNTAX;
}

snn_status
snn_spikes_parse(const char *text, uint8_t *out, size_t cap, size_t *dim,
				 snn_error *err)
{
	const char *p;
	size_t		n = 0;
	char		what[64];

	snn_error_clear(err);
	*dim = 0;
	p = skip_space(text);
	if (*p != '[')
		return fail_at(err, text, p, "it must start with \"[\"");
	p = skip_space(p + 1);
	if (*p == ']')
	{
		snn_fail(err, SNN_E_EMPTY, "",
				 "spikes must have at least 1 neuron");
		if (err)
			err->pos = (size_t) (p - text);
		return SNN_E_EMPTY;
	}

	for (;;)
	{
		size_t		len;
		snn_status	st;

		p = skip_space(p);
		len = token_length(p);
		if (len == 0)
		{
			if (*p == '\0')
				return fail_at(err, text, p, "it must end with \"]\"");
			snprintf(what, sizeof(what), "empty element at neuron %zu", n);
			return fail_at(err, text, p, what);
		}
		if (n >= SNN_SPIKES_MAX_DIM)
		{
			snn_fail(err, SNN_E_LIMIT, "",
					 "spikes cannot have more than %d neurons", SNN_SPIKES_MAX_DIM);
			if (err)
				err->pos = (size_t) (p - text);
			return SNN_E_LIMIT;
		}
		if (n >= cap)
		{
			snn_fail(err, SNN_E_NOMEM, "",
					 "spikes buffer of %zu neurons is too small", cap);
			return SNN_E_NOMEM;
		}
		st = decode_token(p, len, n, &out[n], err, (size_t) (p - text));
		if (st != SNN_OK)
			return st;
		n++;
		p = skip_space(p + len);
		if (*p == ',')
		{
			p++;
			continue;
		}
		if (*p == ']')
			break;
		if (*p == '\0')
			return fail_at(err, text, p, "it must end with \"]\"");
		snprintf(what, sizeof(what), "expected \",\" or \"]\" after neuron %zu",
				 n - 1);
		return fail_at(err, text, p, what);
	}

	p = skip_space(p + 1);
	if (*p != '\0')
		return fail_at(err, text, p, "junk after closing \"]\"");
	*dim = n;
	return SNN_OK;
}

size_t
snn_spikes_parse_bound(const char *text)
{
	size_t		n = 1;

	for (const char *p = text; *p != '\0'; p++)
	{
		if (*p == ',' && ++n > SNN_SPIKES_MAX_DIM)
			break;
	}
	return n;
}

size_t
snn_spikes_format(const uint8_t *t, size_t dim, char *buf, size_t cap)
{
	char	   *p = buf;

	if (cap < SNN_SPIKES_TEXT_CAP(dim))
		return 0;
	*p++ = '[';
	for (size_t i = 0; i < dim; i++)
	{
		unsigned	v = t[i];

		if (i > 0)
			*p++ = ',';
		if (v == SNN_SILENT)
			*p++ = '_';
		else if (v >= 100)
		{
			*p++ = (char) ('0' + v / 100);
			*p++ = (char) ('0' + v / 10 % 10);
			*p++ = (char) ('0' + v % 10);
		}
		else if (v >= 10)
		{
			*p++ = (char) ('0' + v / 10);
			*p++ = (char) ('0' + v % 10);
		}
		else
			*p++ = (char) ('0' + v);
	}
	*p++ = ']';
	*p = '\0';
	return (size_t) (p - buf);
}
