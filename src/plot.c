/*
 * An SVG line chart of trend series: one <path class="series"> per rule
 * over time buckets, a y axis from zero to a nice maximum, thinned date
 * labels and a legend.  The output is a standalone, well-formed document
 * with no CSS; numbers are formatted without printf's %f so that a
 * locale never changes the bytes, and the same input gives the same bytes.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

#define PLOT_W		960
#define PLOT_H		480	/* more for a long legend */
#define PLOT_LEFT	72
#define PLOT_RIGHT	24
#define PLOT_TOP	48
#define PLOT_MINH	240	/* the smallest plot area */
#define PLOT_ROW	20	/* a legend row */
#define PLOT_CHAR	7	/* a character at font-size 12, roughly */
#define PLOT_XLABELS	10	/* at most this many x labels */
#define PLOT_YSTEPS	6	/* at most this many y intervals */

/* Okabe-Ito, less its yellow (too faint on white). */
static const char *plot_colours[] = {
	"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
	"#000000"
};
/* Each pass through the palette gets a new dash pattern. */
static const char *plot_dashes[] = { NULL, "6 4", "2 3", "8 3 2 3" };

/*
 * Text as XML character data or an attribute value: markup characters
 * escaped, and what XML cannot hold at all (C0 controls, invalid UTF-8,
 * U+FFFE and U+FFFF) replaced or dropped so the document still parses.
 */
static void
plot_text(struct buf *out, const char *s)
{
	size_t	len, n;

	if (s == NULL)
		return;
	len = strlen(s);
	while (len > 0) {
		n = text_utf8_len(s, len);
		if (n == 0) {
			buf_adds(out, "\xef\xbf\xbd");	/* U+FFFD */
			n = 1;
		} else if (n == 1) {
			switch (*s) {
			case '&': buf_adds(out, "&amp;"); break;
			case '<': buf_adds(out, "&lt;"); break;
			case '>': buf_adds(out, "&gt;"); break;
			case '"': buf_adds(out, "&quot;"); break;
			case '\'': buf_adds(out, "&apos;"); break;
			default:
				if ((unsigned char)*s >= 0x20 || *s == '\t' ||
				    *s == '\n' || *s == '\r')
					buf_addc(out, *s);
			}
		} else if (!(n == 3 && memcmp(s, "\xef\xbf\xbe", 3) == 0) &&
		    !(n == 3 && memcmp(s, "\xef\xbf\xbf", 3) == 0))
			buf_add(out, s, n);
		s += n;
		len -= n;
	}
}

/* Roughly how wide a text is, in pixels: one step per character. */
static int
plot_width(const char *s)
{
	int	n = 0;

	for (; s != NULL && *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return (n * PLOT_CHAR);
}

/*
 * v with at most dec decimals and no trailing zeros, by integer
 * arithmetic: "%f" would follow LC_NUMERIC.
 */
static void
plot_fmt(char *dst, size_t size, double v, int dec)
{
	long long	 t, p = 1;
	char		 frac[16];
	int		 i, w;

	for (i = 0; i < dec; i++)
		p *= 10;
	if (!isfinite(v) || fabs(v) * p >= 9e18) {
		snprintf(dst, size, "%.3g", v);
		return;
	}
	t = llround(fabs(v) * p);
	if (t == 0)
		v = 0;
	snprintf(frac, sizeof frac, "%0*lld", dec, dec > 0 ? t % p : 0);
	for (w = dec; w > 0 && frac[w - 1] == '0'; w--)
		;
	frac[w] = '\0';
	snprintf(dst, size, "%s%lld%s%s", v < 0 ? "-" : "", t / p,
	    w > 0 ? "." : "", frac);
}

/* A coordinate, to a tenth of a pixel. */
static void
plot_num(struct buf *out, double v)
{
	char	s[32];

	plot_fmt(s, sizeof s, v, 1);
	buf_adds(out, s);
}

/*
 * The y axis: the smallest 1, 2 or 5 x 10^n step that covers the data in
 * at most PLOT_YSTEPS intervals (3 to 6 of them).  Counts are at least
 * 0..4 so their ticks are whole numbers; an all-zero share shows 0..10%.
 */
static double
plot_nice(double max, int percent, double *step, int *count)
{
	static const double	 f[] = { 1, 2, 5, 10 };
	double			 mag, s = 1;
	int			 c = 1;
	size_t			 i;

	if (!percent && !(max >= 4))
		max = 4;
	else if (!(max > 0))
		max = 0.1;
	mag = pow(10, floor(log10(max / PLOT_YSTEPS)));
	for (i = 0; i < nitems(f); i++) {
		s = f[i] * mag;
		c = (int)ceil(max / s - 1e-9);
		if (c <= PLOT_YSTEPS)
			break;
	}
	*step = s;
	*count = c;
	return (s * c);
}

/*
 * A y tick label: a percentage for shares, and for counts of 10000 or
 * more, thousands ("20k", "1.5M"); decimals only as the step needs them.
 */
static void
plot_ylabel(char *dst, size_t size, double v, double step, double top,
    int percent)
{
	static const char	*unit[] = { "", "k", "M", "G", "T" };
	double			 scale = 1;
	size_t			 u = 0;
	int			 dec = 0;
	char			 s[32];

	if (percent)
		scale = 0.01;
	else if (top >= 10000) {
		while (u + 1 < nitems(unit) && top >= scale * 1000) {
			scale *= 1000;
			u++;
		}
	}
	if (step / scale < 1)
		dec = (int)ceil(-log10(step / scale) - 1e-9);
	plot_fmt(s, sizeof s, v / scale, dec > 6 ? 6 : dec);
	snprintf(dst, size, "%s%s", s, percent ? "%" : v > 0 ? unit[u] : "");
}

/* An x label: the caller's, or else the bucket's UTC date. */
static void
plot_xlabel(const struct plot *p, size_t i, char *dst, size_t size)
{
	int64_t	y, day;
	int	m, d;

	if (p->bucket_labels != NULL && p->bucket_labels[i] != NULL)
		snprintf(dst, size, "%s", p->bucket_labels[i]);
	else if (p->buckets != NULL) {
		day = p->buckets[i] / 86400 - (p->buckets[i] % 86400 < 0);
		date_to_civil(day, &y, &m, &d);
		snprintf(dst, size, "%04lld-%02d-%02d", (long long)y, m, d);
	} else
		snprintf(dst, size, "%zu", i + 1);
}

/*
 * Where each bucket falls: in proportion to its time when the times
 * increase (so gaps show), else evenly; a single bucket is centred.
 */
static void
plot_xs(const struct plot *p, double *xs, double x0, double x1)
{
	double	span;
	size_t	i;
	int	bytime = p->buckets != NULL;

	for (i = 1; bytime && i < p->n; i++) {
		if (p->buckets[i] <= p->buckets[i - 1])
			bytime = 0;
	}
	span = p->n > 1 && bytime ?
	    (double)(p->buckets[p->n - 1] - p->buckets[0]) : (double)p->n - 1;
	for (i = 0; i < p->n; i++) {
		if (p->n == 1)
			xs[i] = (x0 + x1) / 2;
		else if (bytime)
			xs[i] = x0 + (x1 - x0) *
			    (double)(p->buckets[i] - p->buckets[0]) / span;
		else
			xs[i] = x0 + (x1 - x0) * (double)i / span;
	}
}

/* A series' stroke attributes: its colour, and a dash once they repeat. */
static void
plot_stroke(struct buf *out, size_t k)
{
	const char	*dash;

	dash = plot_dashes[(k / nitems(plot_colours)) % nitems(plot_dashes)];
	buf_printf(out, " stroke=\"%s\"",
	    plot_colours[k % nitems(plot_colours)]);
	if (dash != NULL)
		buf_printf(out, " stroke-dasharray=\"%s\"", dash);
}

static const char *
plot_label(const struct plot_series *s)
{
	if (s->label != NULL && *s->label != '\0')
		return (s->label);
	return (s->name != NULL ? s->name : "");
}

/*
 * Lay the legend out in rows under the x labels, wrapping at the right
 * margin; with out NULL only count the rows (the height depends on it).
 */
static int
plot_legend(const struct plot *p, struct buf *out, double top)
{
	double	x = PLOT_LEFT, w, y;
	size_t	k;
	int	row = 0;

	for (k = 0; k < p->nseries; k++) {
		w = 26 + plot_width(plot_label(&p->series[k])) + 18;
		if (x > PLOT_LEFT && x + w - 18 > PLOT_W - PLOT_RIGHT) {
			x = PLOT_LEFT;
			row++;
		}
		if (out != NULL) {
			y = top + row * PLOT_ROW;
			buf_adds(out, "<line class=\"swatch\" x1=\"");
			plot_num(out, x);
			buf_adds(out, "\" x2=\"");
			plot_num(out, x + 20);
			buf_adds(out, "\" y1=\"");
			plot_num(out, y);
			buf_adds(out, "\" y2=\"");
			plot_num(out, y);
			buf_adds(out, "\" stroke-width=\"3\"");
			plot_stroke(out, k);
			buf_adds(out, "/><text class=\"legend\" x=\"");
			plot_num(out, x + 26);
			buf_adds(out, "\" y=\"");
			plot_num(out, y + 4);
			buf_adds(out, "\">");
			plot_text(out, plot_label(&p->series[k]));
			buf_adds(out, "</text>\n");
		}
		x += w;
	}
	return (row + 1);
}

/*
 * One series as a single path: NaN (or infinite) values break the line
 * with a new "M", and a point with no neighbour is a short dash so that
 * it shows.  Values below zero are drawn at zero.
 */
static void
plot_path(struct buf *out, const struct plot *p, size_t k, const double *xs,
    double y0, double y1, double top)
{
	const struct plot_series	*s = &p->series[k];
	const double			*v = s->values;
	double				 y;
	size_t				 i;
	int				 pen = 0, alone;

	buf_adds(out, "<path class=\"series\" fill=\"none\" data-rule=\"");
	plot_text(out, s->name);
	buf_adds(out, "\"");
	plot_stroke(out, k);
	buf_adds(out, " d=\"");
	for (i = 0; v != NULL && i < p->n; i++) {
		if (!isfinite(v[i])) {
			pen = 0;
			continue;
		}
		y = y1 - (y1 - y0) * (v[i] > 0 ? v[i] : 0) / top;
		alone = !pen && (i + 1 == p->n || !isfinite(v[i + 1]));
		buf_adds(out, pen ? "L" : "M");
		plot_num(out, alone ? xs[i] - 3 : xs[i]);
		buf_addc(out, ' ');
		plot_num(out, y);
		if (alone)
			buf_adds(out, "h6");
		pen = 1;
	}
	buf_adds(out, "\"><title>");
	plot_text(out, plot_label(s));
	buf_adds(out, "</title></path>\n");
}

/* The x labels, every k-th so that they neither overlap nor crowd. */
static void
plot_xaxis(struct buf *out, const struct plot *p, const double *xs,
    double y1)
{
	char	label[128];
	size_t	i, k, fit;
	int	w, maxw = 0;
	double	x;

	for (i = 0; i < p->n; i++) {
		plot_xlabel(p, i, label, sizeof label);
		if ((w = plot_width(label)) > maxw)
			maxw = w;
	}
	fit = (PLOT_W - PLOT_LEFT - PLOT_RIGHT) / (maxw + 16);
	if (fit > PLOT_XLABELS)
		fit = PLOT_XLABELS;
	if (fit < 1)
		fit = 1;
	k = (p->n + fit - 1) / fit;
	buf_adds(out, "<g class=\"xaxis\" fill=\"#444\" stroke=\"#444\" "
	    "text-anchor=\"middle\">\n");
	for (i = 0; i < p->n; i += k) {
		plot_xlabel(p, i, label, sizeof label);
		w = plot_width(label);
		x = xs[i];
		if (x - w / 2.0 < 2)
			x = 2 + w / 2.0;
		if (x + w / 2.0 > PLOT_W - 2)
			x = PLOT_W - 2 - w / 2.0;
		buf_adds(out, "<line x1=\"");
		plot_num(out, xs[i]);
		buf_adds(out, "\" x2=\"");
		plot_num(out, xs[i]);
		buf_adds(out, "\" y1=\"");
		plot_num(out, y1);
		buf_adds(out, "\" y2=\"");
		plot_num(out, y1 + 5);
		buf_adds(out, "\"/><text class=\"xtick\" stroke=\"none\" x=\"");
		plot_num(out, x);
		buf_adds(out, "\" y=\"");
		plot_num(out, y1 + 19);
		buf_adds(out, "\">");
		plot_text(out, label);
		buf_adds(out, "</text>\n");
	}
	buf_adds(out, "</g>\n");
}

/* Gridlines and tick labels from zero to the nice maximum. */
static void
plot_yaxis(struct buf *out, const struct plot *p, double y0, double y1,
    double step, int count)
{
	char	label[40];
	double	y;
	int	i;

	buf_adds(out,
	    "<g class=\"yaxis\" fill=\"#444\" text-anchor=\"end\">\n");
	for (i = 0; i <= count; i++) {
		y = y1 - (y1 - y0) * i / count;
		plot_ylabel(label, sizeof label, step * i, step, step * count,
		    p->percent);
		buf_printf(out, "<line class=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"",
		    i == 0 ? "axis" : "grid", PLOT_LEFT, PLOT_W - PLOT_RIGHT);
		plot_num(out, y);
		buf_adds(out, "\" y2=\"");
		plot_num(out, y);
		buf_printf(out, "\" stroke=\"%s\"/>", i == 0 ? "#444" : "#ddd");
		buf_printf(out, "<text class=\"ytick\" x=\"%d\" y=\"",
		    PLOT_LEFT - 6);
		plot_num(out, y + 4);
		buf_printf(out, "\">%s</text>\n", label);
	}
	buf_adds(out, "</g>\n");
	if (p->ylabel != NULL && *p->ylabel != '\0') {
		buf_adds(out, "<text class=\"ylabel\" text-anchor=\"middle\" "
		    "transform=\"translate(18 ");
		plot_num(out, (y0 + y1) / 2);
		buf_adds(out, ") rotate(-90)\">");
		plot_text(out, p->ylabel);
		buf_adds(out, "</text>\n");
	}
}

/*
 * The chart, appended to out.  With no buckets or no series it is still a
 * whole document: the title and "no data", and no series paths.
 */
void
plot_svg(const struct plot *p, struct buf *out)
{
	double	*xs, max = 0, y0 = PLOT_TOP, y1, step, top, v;
	size_t	 i, k;
	int	 rows = 0, h = PLOT_H, count, empty;

	empty = p->n == 0 || p->nseries == 0 || p->series == NULL;
	if (!empty) {
		rows = plot_legend(p, NULL, 0);
		if (h - PLOT_TOP - 40 - rows * PLOT_ROW - 12 < PLOT_MINH)
			h = PLOT_TOP + PLOT_MINH + 40 + rows * PLOT_ROW + 12;
	}
	y1 = h - 40 - rows * PLOT_ROW - 12;

	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "font-family=\"sans-serif\" font-size=\"12\">\n",
	    PLOT_W, h, PLOT_W, h);
	if (p->title != NULL && *p->title != '\0') {
		buf_adds(out, "<title>");
		plot_text(out, p->title);
		buf_adds(out, "</title>\n");
	}
	buf_printf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
	    PLOT_W, h);
	if (p->title != NULL && *p->title != '\0') {
		buf_printf(out, "<text class=\"title\" x=\"%d\" y=\"28\" "
		    "text-anchor=\"middle\" font-size=\"16\" "
		    "font-weight=\"bold\">", PLOT_W / 2);
		plot_text(out, p->title);
		buf_adds(out, "</text>\n");
	}
	if (empty) {
		buf_printf(out, "<text class=\"nodata\" x=\"%d\" y=\"%d\" "
		    "text-anchor=\"middle\" fill=\"#666\">no data</text>\n"
		    "</svg>\n", PLOT_W / 2, h / 2);
		return;
	}

	for (k = 0; k < p->nseries; k++) {
		for (i = 0; p->series[k].values != NULL && i < p->n; i++) {
			v = p->series[k].values[i];
			if (isfinite(v) && v > max)
				max = v;
		}
	}
	top = plot_nice(max, p->percent, &step, &count);
	xs = xreallocarray(NULL, p->n, sizeof *xs);
	plot_xs(p, xs, PLOT_LEFT, PLOT_W - PLOT_RIGHT);

	plot_yaxis(out, p, y0, y1, step, count);
	plot_xaxis(out, p, xs, y1);
	buf_adds(out, "<g class=\"lines\" stroke-width=\"2\" "
	    "stroke-linejoin=\"round\" stroke-linecap=\"round\">\n");
	for (k = 0; k < p->nseries; k++)
		plot_path(out, p, k, xs, y0, y1, top);
	buf_adds(out, "</g>\n<g class=\"legend\">\n");
	plot_legend(p, out, y1 + 44);
	buf_adds(out, "</g>\n</svg>\n");
	free(xs);
}
