/*
 * plot.c: the SVG line chart.  Every document is parsed with libxml2, and
 * the expected axes and paths are worked out by hand from the layout: the
 * plot area runs from x 72 to 936 and from y 48 (top) to 408 (zero) when
 * the legend fits on one row.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "mentiond.h"

#define SVG_NS	"http://www.w3.org/2000/svg"
#define DAY	86400

/* A plot over n daily buckets from 2025-11-01, labelled by date. */
struct fixture {
	struct plot		 p;
	int64_t			 buckets[64];
	char			 labels[64][16];
	const char		*labelp[64];
	struct plot_series	 series[16];
};

static void
fixture_init(struct fixture *f, size_t n, int percent)
{
	int64_t	day0 = date_from_civil(2025, 11, 1);
	int64_t	y;
	int	m, d;
	size_t	i;

	memset(f, 0, sizeof *f);
	for (i = 0; i < n; i++) {
		f->buckets[i] = (day0 + (int64_t)i) * DAY;
		date_to_civil(day0 + (int64_t)i, &y, &m, &d);
		snprintf(f->labels[i], sizeof f->labels[i], "%04d-%02d-%02d",
		    (int)y, m, d);
		f->labelp[i] = f->labels[i];
	}
	f->p.title = "Trend";
	f->p.ylabel = percent ? "share" : "mentions";
	f->p.buckets = f->buckets;
	f->p.bucket_labels = f->labelp;
	f->p.n = n;
	f->p.series = f->series;
	f->p.percent = percent;
}

static void
fixture_add(struct fixture *f, const char *name, const char *label,
    const double *values)
{
	struct plot_series	*s = &f->series[f->p.nseries++];

	s->name = name;
	s->label = label;
	s->values = values;
}

/* plot_svg into a fresh string. */
static char *
render(const struct plot *p)
{
	struct buf	b;

	buf_init(&b);
	plot_svg(p, &b);
	assert_non_null(b.data);
	return (buf_take(&b));
}

/* Parse an SVG document: it must be well-formed, an svg in the SVG ns. */
static xmlDocPtr
parse(const char *svg)
{
	xmlDocPtr	doc;
	xmlNodePtr	root;

	doc = xmlReadMemory(svg, (int)strlen(svg), "plot.svg", NULL,
	    XML_PARSE_NONET);
	if (doc == NULL)
		fail_msg("not well-formed XML:\n%s", svg);
	root = xmlDocGetRootElement(doc);
	assert_non_null(root);
	assert_string_equal((const char *)root->name, "svg");
	assert_non_null(root->ns);
	assert_string_equal((const char *)root->ns->href, SVG_NS);
	return (doc);
}

/* An attribute's value as a malloc'd string, or NULL. */
static char *
attr(xmlNodePtr n, const char *name)
{
	return ((char *)xmlGetProp(n, (const xmlChar *)name));
}

static int
has_class(xmlNodePtr n, const char *cls)
{
	char	*c = attr(n, "class");
	int	 yes = c != NULL && strcmp(c, cls) == 0;

	xmlFree(c);
	return (yes);
}

/*
 * Every element with the given name (NULL: any) and class, in document
 * order, up to max; returns how many there are.
 */
static size_t
find(xmlNodePtr n, const char *name, const char *cls, xmlNodePtr *out,
    size_t max, size_t count)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if ((name == NULL ||
		    strcmp((const char *)n->name, name) == 0) &&
		    has_class(n, cls)) {
			if (count < max)
				out[count] = n;
			count++;
		}
		count = find(n->children, name, cls, out, max, count);
	}
	return (count);
}

static size_t
find_all(xmlDocPtr doc, const char *name, const char *cls, xmlNodePtr *out,
    size_t max)
{
	return (find(xmlDocGetRootElement(doc), name, cls, out, max, 0));
}

/* An element's text, and an attribute's value, must be want. */
static void
text_is(xmlNodePtr n, const char *want)
{
	char	*got = (char *)xmlNodeGetContent(n);

	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("text: got [%s], want [%s]", got, want);
	xmlFree(got);
}

static void
attr_is(xmlNodePtr n, const char *name, const char *want)
{
	char	*got = attr(n, name);

	if (got == NULL || strcmp(got, want) != 0)
		fail_msg("%s=: got [%s], want [%s]", name, got, want);
	xmlFree(got);
}

/* The y tick labels, bottom up, must be exactly want[]. */
static void
yticks_are(xmlDocPtr doc, const char **want, size_t nwant)
{
	xmlNodePtr	t[32];
	size_t		i, n;

	n = find_all(doc, "text", "ytick", t, nitems(t));
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		text_is(t[i], want[i]);
}

static void
test_output_is_wellformed_svg_that_scales(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1, 5, 3, 0, 2 }, b[] = { 0, 1, 2, 3, 4 };
	xmlDocPtr	 doc;
	xmlNodePtr	 root;
	char		*svg;

	(void)state;
	fixture_init(&f, 5, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	fixture_add(&f, "mean-girl", "Mean Girl", b);
	svg = render(&f.p);
	assert_memory_equal(svg, "<?xml ", 6);
	doc = parse(svg);
	root = xmlDocGetRootElement(doc);
	attr_is(root, "width", "960");
	attr_is(root, "height", "480");
	attr_is(root, "viewBox", "0 0 960 480");
	attr_is(root, "font-family", "sans-serif");
	xmlFreeDoc(doc);
	free(svg);
}

static void
test_one_series_path_per_rule_with_its_name(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1, 2 }, b[] = { 3, 4 }, c[] = { 5, 6 };
	const char	*rules[] = { "lively", "mean-girl", "baldoni" };
	xmlDocPtr	 doc;
	xmlNodePtr	 paths[8], all[16];
	char		*svg, *s1, *s2;
	size_t		 i;

	(void)state;
	fixture_init(&f, 2, 0);
	fixture_add(&f, rules[0], "Blake Lively", a);
	fixture_add(&f, rules[1], "Mean Girl", b);
	fixture_add(&f, rules[2], "Justin Baldoni", c);
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "path", "series", paths,
	    nitems(paths)), 3);
	/* Nothing else carries the class. */
	assert_int_equal(find_all(doc, NULL, "series", all, nitems(all)), 3);
	for (i = 0; i < 3; i++) {
		attr_is(paths[i], "data-rule", rules[i]);
		attr_is(paths[i], "fill", "none");
	}
	s1 = attr(paths[0], "stroke");
	s2 = attr(paths[1], "stroke");
	assert_non_null(s1);
	assert_non_null(s2);
	assert_int_equal(s1[0], '#');
	assert_string_not_equal(s1, s2);
	xmlFree(s1);
	xmlFree(s2);
	xmlFreeDoc(doc);
	free(svg);
}

static void
test_legend_names_every_series(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1 }, b[] = { 2 };
	xmlDocPtr	 doc;
	xmlNodePtr	 t[8], sw[8];
	char		*svg;

	(void)state;
	fixture_init(&f, 1, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	fixture_add(&f, "mean-girl", NULL, b);	/* shows the name */
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "text", "legend", t, nitems(t)), 2);
	text_is(t[0], "Blake Lively");
	text_is(t[1], "mean-girl");
	assert_int_equal(find_all(doc, "line", "swatch", sw, nitems(sw)), 2);
	xmlFreeDoc(doc);
	free(svg);
}

static void
test_user_text_is_escaped_and_still_parses(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1, 2 };
	xmlDocPtr	 doc;
	xmlNodePtr	 n[4];
	char		*svg;

	(void)state;
	fixture_init(&f, 2, 0);
	f.p.title = "Lively <&> \"Baldoni\" 'x'";
	f.p.ylabel = "a<b";
	f.labelp[0] = "<day&1>";
	fixture_add(&f, "r\"1'<&>", "A & B <c> \"q\"\x01 \xff!", a);
	svg = render(&f.p);
	assert_null(strstr(svg, "<&>"));
	assert_null(strstr(svg, "<c>"));
	assert_null(strstr(svg, "<day"));
	doc = parse(svg);
	assert_int_equal(find_all(doc, "text", "title", n, nitems(n)), 1);
	text_is(n[0], "Lively <&> \"Baldoni\" 'x'");
	assert_int_equal(find_all(doc, "text", "ylabel", n, nitems(n)), 1);
	text_is(n[0], "a<b");
	assert_int_equal(find_all(doc, "text", "xtick", n, nitems(n)), 2);
	text_is(n[0], "<day&1>");
	assert_int_equal(find_all(doc, "path", "series", n, nitems(n)), 1);
	attr_is(n[0], "data-rule", "r\"1'<&>");
	/* The control character goes; the invalid byte becomes U+FFFD. */
	assert_int_equal(find_all(doc, "text", "legend", n, nitems(n)), 1);
	text_is(n[0], "A & B <c> \"q\" \xef\xbf\xbd!");
	xmlFreeDoc(doc);
	free(svg);
}

/* Data max 87: steps of 10 need 9 intervals, of 20 five, so 0..100. */
static void
test_count_axis_rounds_87_up_to_100(void **state)
{
	struct fixture	 f;
	double		 a[] = { 12, 87, 40 };
	const char	*want[] = { "0", "20", "40", "60", "80", "100" };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[2];
	char		*svg, *d;

	(void)state;
	fixture_init(&f, 3, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	yticks_are(doc, want, nitems(want));
	/* x: 72, 504, 936; y = 408 - 360 * v / 100. */
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 1);
	d = attr(p[0], "d");
	assert_string_equal(d, "M72 364.8L504 94.8L936 264");
	xmlFree(d);
	xmlFreeDoc(doc);
	free(svg);
}

/* A 0.37 share: steps of 0.05 need 8 intervals, of 0.1 four, so 40%. */
static void
test_share_axis_is_in_percent_and_rounds_up(void **state)
{
	struct fixture	 f;
	double		 a[] = { 0.1, 0.37 }, b[] = { 0.25, 0.05 };
	const char	*want[] = { "0%", "10%", "20%", "30%", "40%" };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[2];
	char		*svg, *d;

	(void)state;
	fixture_init(&f, 2, 1);
	fixture_add(&f, "lively", "Blake Lively", a);
	fixture_add(&f, "mean-girl", "Mean Girl", b);
	svg = render(&f.p);
	doc = parse(svg);
	yticks_are(doc, want, nitems(want));
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 2);
	d = attr(p[0], "d");		/* y = 408 - 360 * v / 0.4 */
	assert_string_equal(d, "M72 318L936 75");
	xmlFree(d);
	xmlFreeDoc(doc);
	free(svg);
}

/* Small shares get decimals in their percentages. */
static void
test_small_share_ticks_keep_their_decimals(void **state)
{
	struct fixture	 f;
	double		 a[] = { 0.004, 0.009 };
	const char	*want[] = { "0%", "0.2%", "0.4%", "0.6%", "0.8%",
			    "1%" };
	xmlDocPtr	 doc;
	char		*svg;

	(void)state;
	fixture_init(&f, 2, 1);
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	yticks_are(doc, want, nitems(want));
	xmlFreeDoc(doc);
	free(svg);
}

/* Counts under 4 still get a 0..4 axis of whole numbers. */
static void
test_all_zero_counts_lie_on_a_0_to_4_axis(void **state)
{
	struct fixture	 f;
	double		 a[] = { 0, 0, 0 };
	const char	*want[] = { "0", "1", "2", "3", "4" };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[2];
	char		*svg, *d;

	(void)state;
	fixture_init(&f, 3, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	yticks_are(doc, want, nitems(want));
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 1);
	d = attr(p[0], "d");
	assert_string_equal(d, "M72 408L504 408L936 408");
	xmlFree(d);
	xmlFreeDoc(doc);
	free(svg);
}

/* 1.4 million: steps of 500k need 3 intervals, labelled in millions. */
static void
test_huge_counts_are_labelled_in_millions(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1400000, 700000 };
	const char	*want[] = { "0", "0.5M", "1M", "1.5M" };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[2];
	char		*svg, *d;

	(void)state;
	fixture_init(&f, 2, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	yticks_are(doc, want, nitems(want));
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 1);
	d = attr(p[0], "d");		/* 408 - 360 * 14/15, 7/15 */
	assert_string_equal(d, "M72 72L936 240");
	xmlFree(d);
	xmlFreeDoc(doc);
	free(svg);
}

static void
test_empty_input_is_valid_svg_saying_no_data(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1 };
	xmlDocPtr	 doc;
	xmlNodePtr	 n[4];
	char		*svg;
	int		 pass;

	(void)state;
	for (pass = 0; pass < 3; pass++) {
		fixture_init(&f, pass == 0 ? 0 : 1, 0);
		if (pass == 1)		/* buckets, no series */
			;
		else if (pass == 2) {	/* a series, no buckets */
			fixture_add(&f, "lively", "Blake Lively", a);
			f.p.n = 0;
		}
		if (pass == 0)
			f.p.title = NULL;
		svg = render(&f.p);
		doc = parse(svg);
		assert_int_equal(find_all(doc, "text", "nodata", n,
		    nitems(n)), 1);
		text_is(n[0], "no data");
		assert_int_equal(find_all(doc, "path", "series", n,
		    nitems(n)), 0);
		xmlFreeDoc(doc);
		free(svg);
	}
}

/* One bucket, centred at x 504: a 6-pixel dash so it shows. */
static void
test_single_bucket_is_a_visible_dash(void **state)
{
	struct fixture	 f;
	double		 a[] = { 3 };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[2];
	char		*svg, *d;

	(void)state;
	fixture_init(&f, 1, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 1);
	d = attr(p[0], "d");		/* axis 0..4: 408 - 360 * 3/4 */
	assert_string_equal(d, "M501 138h6");
	xmlFree(d);
	xmlFreeDoc(doc);
	free(svg);
}

/* NaN breaks the line; a point alone between gaps is a dash. */
static void
test_nan_values_break_the_path(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1, 2, NAN, 4, 5 };
	double		 b[] = { NAN, 5, NAN, INFINITY, NAN };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[2];
	char		*svg, *d;

	(void)state;
	fixture_init(&f, 5, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	fixture_add(&f, "mean-girl", "Mean Girl", b);
	svg = render(&f.p);
	doc = parse(svg);
	/* x: 72 + 216 i; axis 0..5 so y = 408 - 72 v. */
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 2);
	d = attr(p[0], "d");
	assert_string_equal(d, "M72 336L288 264M720 120L936 48");
	xmlFree(d);
	d = attr(p[1], "d");
	assert_string_equal(d, "M285 48h6");
	xmlFree(d);
	xmlFreeDoc(doc);
	free(svg);
}

/* x follows time: a missing day leaves its gap. */
static void
test_x_positions_follow_bucket_times(void **state)
{
	struct fixture	 f;
	double		 a[] = { 0, 0, 0 };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[2];
	char		*svg, *d;

	(void)state;
	fixture_init(&f, 5, 0);
	f.buckets[2] = f.buckets[4];	/* days 0, 1 and 4 */
	f.labelp[2] = f.labelp[4];
	f.p.n = 3;
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 1);
	d = attr(p[0], "d");
	assert_string_equal(d, "M72 408L288 408L936 408");
	xmlFree(d);
	xmlFreeDoc(doc);
	free(svg);
}

/* 30 daily labels, 10 fit: every third; 31 need every fourth, so 8. */
static void
test_x_labels_are_thinned_to_fit(void **state)
{
	struct fixture	 f;
	double		 a[64];
	xmlDocPtr	 doc;
	xmlNodePtr	 t[64];
	char		*svg;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(a); i++)
		a[i] = (double)i;
	fixture_init(&f, 30, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "text", "xtick", t, nitems(t)), 10);
	text_is(t[0], "2025-11-01");
	text_is(t[1], "2025-11-04");
	text_is(t[9], "2025-11-28");
	xmlFreeDoc(doc);
	free(svg);

	fixture_init(&f, 31, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "text", "xtick", t, nitems(t)), 8);
	text_is(t[1], "2025-11-05");
	xmlFreeDoc(doc);
	free(svg);
}

/* Without labels, the buckets' UTC dates. */
static void
test_missing_labels_fall_back_to_dates(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1, 2 };
	xmlDocPtr	 doc;
	xmlNodePtr	 t[4];
	char		*svg;

	(void)state;
	fixture_init(&f, 2, 0);
	f.p.bucket_labels = NULL;
	f.buckets[1] = date_from_civil(1969, 12, 31) * DAY + 3600;
	f.buckets[0] = f.buckets[1] - 40 * DAY;
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "text", "xtick", t, nitems(t)), 2);
	text_is(t[0], "1969-11-21");
	text_is(t[1], "1969-12-31");
	xmlFreeDoc(doc);
	free(svg);
}

/* Seven colours, then the same colours dashed. */
static void
test_colours_cycle_with_a_dash(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1 };
	static const char *names[] = { "a", "b", "c", "d", "e", "f", "g",
			    "h" };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[16];
	char		*s0, *s7, *d0, *d7;
	char		*svg;
	size_t		 i;

	(void)state;
	fixture_init(&f, 1, 0);
	for (i = 0; i < nitems(names); i++)
		fixture_add(&f, names[i], names[i], a);
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 8);
	s0 = attr(p[0], "stroke");
	s7 = attr(p[7], "stroke");
	d0 = attr(p[0], "stroke-dasharray");
	d7 = attr(p[7], "stroke-dasharray");
	assert_string_equal(s0, s7);
	assert_null(d0);
	assert_non_null(d7);
	xmlFree(s0);
	xmlFree(s7);
	xmlFree(d7);
	xmlFreeDoc(doc);
	free(svg);
}

/* Many series: the legend wraps and the canvas grows; all still drawn. */
static void
test_long_legend_wraps_and_grows_the_canvas(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1, 2 };
	char		 names[16][48];
	xmlDocPtr	 doc;
	xmlNodePtr	 n[32];
	char		*svg, *h;
	size_t		 i;

	(void)state;
	fixture_init(&f, 2, 0);
	for (i = 0; i < 16; i++) {
		snprintf(names[i], sizeof names[i],
		    "a rather long narrative label, number %zu", i);
		fixture_add(&f, names[i], names[i], a);
	}
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "path", "series", n, nitems(n)), 16);
	assert_int_equal(find_all(doc, "text", "legend", n, nitems(n)), 16);
	h = attr(xmlDocGetRootElement(doc), "height");
	assert_true(atoi(h) > 480);
	xmlFree(h);
	xmlFreeDoc(doc);
	free(svg);
}

/* Coordinates are compact: no number in a path has two decimals. */
static void
test_coordinates_have_at_most_one_decimal(void **state)
{
	struct fixture	 f;
	double		 a[] = { 1.2345, 2.71828, 3.14159, 0.333, 7.77,
			    6.1, 2.2 };
	xmlDocPtr	 doc;
	xmlNodePtr	 p[2];
	char		*svg, *d, *s;

	(void)state;
	fixture_init(&f, 7, 0);
	fixture_add(&f, "lively", "Blake Lively", a);
	svg = render(&f.p);
	doc = parse(svg);
	assert_int_equal(find_all(doc, "path", "series", p, nitems(p)), 1);
	d = attr(p[0], "d");
	for (s = d; (s = strchr(s, '.')) != NULL; s++) {
		assert_in_range(s[1], '0', '9');
		assert_false(s[2] >= '0' && s[2] <= '9');
	}
	xmlFree(d);
	xmlFreeDoc(doc);
	free(svg);
}

static void
test_same_input_gives_the_same_bytes(void **state)
{
	struct fixture	 f;
	double		 a[] = { 0.1, NAN, 0.3, 0.25 };
	double		 b[] = { 0, 0.2, 0.1, 0.05 };
	struct buf	 out;
	char		*one, *two;

	(void)state;
	fixture_init(&f, 4, 1);
	fixture_add(&f, "lively", "Blake Lively", a);
	fixture_add(&f, "mean-girl", "Mean Girl", b);
	one = render(&f.p);
	two = render(&f.p);
	assert_string_equal(one, two);

	/* It appends: what is in the buffer stays. */
	buf_init(&out);
	buf_adds(&out, "keep");
	plot_svg(&f.p, &out);
	assert_memory_equal(out.data, "keep", 4);
	assert_string_equal(out.data + 4, one);
	buf_free(&out);
	free(one);
	free(two);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_output_is_wellformed_svg_that_scales),
		cmocka_unit_test(test_one_series_path_per_rule_with_its_name),
		cmocka_unit_test(test_legend_names_every_series),
		cmocka_unit_test(test_user_text_is_escaped_and_still_parses),
		cmocka_unit_test(test_count_axis_rounds_87_up_to_100),
		cmocka_unit_test(test_share_axis_is_in_percent_and_rounds_up),
		cmocka_unit_test(test_small_share_ticks_keep_their_decimals),
		cmocka_unit_test(test_all_zero_counts_lie_on_a_0_to_4_axis),
		cmocka_unit_test(test_huge_counts_are_labelled_in_millions),
		cmocka_unit_test(test_empty_input_is_valid_svg_saying_no_data),
		cmocka_unit_test(test_single_bucket_is_a_visible_dash),
		cmocka_unit_test(test_nan_values_break_the_path),
		cmocka_unit_test(test_x_positions_follow_bucket_times),
		cmocka_unit_test(test_x_labels_are_thinned_to_fit),
		cmocka_unit_test(test_missing_labels_fall_back_to_dates),
		cmocka_unit_test(test_colours_cycle_with_a_dash),
		cmocka_unit_test(test_long_legend_wraps_and_grows_the_canvas),
		cmocka_unit_test(test_coordinates_have_at_most_one_decimal),
		cmocka_unit_test(test_same_input_gives_the_same_bytes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
