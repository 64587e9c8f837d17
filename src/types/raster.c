/*
 * raster.c: spiketrain_raster_svg (C symbol snn_raster_svg, its 0.1.0 name), a
 * raster plot of a spike train as SVG text.
 *
 * Neurons on the y axis (neuron 0 at the bottom), steps on the x axis, one
 * short horizontal mark per spike.  Marks are at least 1.5 pixels in each
 * direction, so 1,000 neurons x 1,000 steps stays readable at the default
 * size; they are batched into a few <path> elements to keep the document
 * small.  The only free text, the title, is XML-escaped.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "spiketrain.h"

PG_FUNCTION_INFO_V1(snn_raster_svg);

#define MARGIN_LEFT		70
#define MARGIN_RIGHT	20
#define MARGIN_TOP		40
#define MARGIN_BOTTOM	50
#define MARKS_PER_PATH	4000

/* Append s with the five XML special characters escaped. */
static void
append_xml(StringInfo b, const char *s)
{
	for (; *s; s++)
	{
		switch (*s)
		{
			case '&':
				appendStringInfoString(b, "&amp;");
				break;
			case '<':
				appendStringInfoString(b, "&lt;");
				break;
			case '>':
				appendStringInfoString(b, "&gt;");
				break;
			case '"':
				appendStringInfoString(b, "&quot;");
				break;
			case '\'':
				appendStringInfoString(b, "&apos;");
				break;
			default:
				/* control characters are not allowed in XML 1.0 */
				if ((unsigned char) *s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
					appendStringInfoChar(b, ' ');
				else
					appendStringInfoChar(b, *s);
		}
	}
}

/* A "nice" tick spacing (1, 2 or 5 times a power of ten) for n units. */
static double
tick_step(double n)
{
	double		raw = n / 6.0,
				p = 1.0;

	if (raw <= 1.0)
		return 1.0;
	while (p * 10.0 <= raw)
		p *= 10.0;
	if (raw <= p)
		return p;
	if (raw <= 2 * p)
		return 2 * p;
	if (raw <= 5 * p)
		return 5 * p;
	return 10 * p;
}

Datum
snn_raster_svg(PG_FUNCTION_ARGS)
{
	SpikeTrain *t;
	int32		width = PG_ARGISNULL(1) ? 1000 : PG_GETARG_INT32(1);
	int32		height = PG_ARGISNULL(2) ? 600 : PG_GETARG_INT32(2);
	char	   *title = PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3));
	double		pw,
				ph,
				dx,
				dy,
				tick;
	StringInfoData b;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	t = PG_GETARG_SPIKETRAIN_P(0);
	if (width < 200 || width > 20000 || height < 150 || height > 20000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("raster size must be 200 to 20000 pixels wide and 150 to 20000 high, got %d x %d",
						width, height)));
	/* about 24 bytes per mark: refuse what cannot fit in a text value */
	if ((Size) t->n_events > (MaxAllocSize - 65536) / 24)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a raster of %u spikes is too large; plot a part of the train",
						t->n_events)));

	pw = width - MARGIN_LEFT - MARGIN_RIGHT;
	ph = height - MARGIN_TOP - MARGIN_BOTTOM;
	dx = pw / t->n_steps;
	dy = ph / t->n_neurons;

	initStringInfo(&b);
	appendStringInfo(&b,
					 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
					 "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
					 "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
					 width, height, width, height);
	if (title)
	{
		appendStringInfo(&b, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">",
						 width / 2);
		append_xml(&b, title);
		appendStringInfoString(&b, "</text>\n");
	}

	/* spikes: marks at least 1.5 px wide and high, so sparse ones show */
	{
		double		mw = dx < 1.5 ? 1.5 : dx,
					mh = dy < 1.5 ? 1.5 : dy;

		for (uint32 i = 0; i < t->n_events; i++)
		{
			double		x = MARGIN_LEFT + t->events[i].step * dx + (dx - mw) / 2;
			double		y = MARGIN_TOP + ph - (t->events[i].neuron + 0.5) * dy;

			if (i % MARKS_PER_PATH == 0)
			{
				if (i > 0)
					appendStringInfoString(&b, "\"/>\n");
				appendStringInfo(&b, "<path stroke=\"#1f4e9c\" stroke-width=\"%.2f\" fill=\"none\" d=\"",
								 mh);
			}
			appendStringInfo(&b, "M%.1f %.2fh%.2f", x, y, mw);
		}
		if (t->n_events > 0)
			appendStringInfoString(&b, "\"/>\n");
	}

	/* frame, ticks and labels */
	appendStringInfo(&b, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"black\"/>\n",
					 MARGIN_LEFT, MARGIN_TOP, pw, ph);
	tick = tick_step(t->n_steps);
	for (double s = 0; s <= t->n_steps; s += tick)
	{
		double		x = MARGIN_LEFT + s * dx;

		appendStringInfo(&b, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"black\"/>"
						 "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.0f</text>\n",
						 x, MARGIN_TOP + ph, x, MARGIN_TOP + ph + 5, x, MARGIN_TOP + ph + 19, s);
	}
	tick = tick_step(t->n_neurons);
	for (double n = 0; n <= t->n_neurons; n += tick)
	{
		double		y = MARGIN_TOP + ph - n * dy;

		appendStringInfo(&b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>"
						 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
						 MARGIN_LEFT - 5, y, MARGIN_LEFT, y, MARGIN_LEFT - 8, y + 4, n);
	}
	appendStringInfo(&b, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">step</text>\n",
					 MARGIN_LEFT + pw / 2, height - 12);
	appendStringInfo(&b, "<text x=\"16\" y=\"%.0f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.0f)\">neuron</text>\n",
					 MARGIN_TOP + ph / 2, MARGIN_TOP + ph / 2);
	appendStringInfo(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">%u neurons, %u steps, %u spikes</text>\n",
					 width - MARGIN_RIGHT, MARGIN_TOP - 6, t->n_neurons, t->n_steps, t->n_events);
	appendStringInfoString(&b, "</svg>\n");
	PG_RETURN_TEXT_P(cstring_to_text_with_len(b.data, b.len));
}
