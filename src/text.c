/*
 * Item text (SPEC "Item text"): markup reduced to words.  A text sink
 * collapses every run of Unicode white space to one space as it goes and
 * trims both ends, so callers just feed it characters and block breaks.
 * HTML goes through a tokenizer of our own; Atom type="xhtml" content is
 * walked in the XML tree it already is.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>

#include "mentiond.h"

struct text {
	struct buf	*out;
	size_t		 start;		/* where this text began in out */
	int		 pending;	/* a space is owed before the next char */
};

/* Elements that separate words; every other element joins its neighbours. */
static const char *text_blocks[] = {
	"address", "article", "aside", "blockquote", "body", "br", "caption",
	"center", "dd", "details", "dialog", "dir", "div", "dl", "dt",
	"fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
	"h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "legend",
	"li", "main", "menu", "nav", "ol", "option", "p", "pre", "section",
	"summary", "table", "tbody", "td", "tfoot", "th", "thead", "title",
	"tr", "ul"
};

/* Element names: the HTML parser lowercases them, XHTML has them lowercase. */
static int
text_cmp(const void *a, const void *b)
{
	return (strcmp(a, *(const char *const *)b));
}

int
text_is_block(const char *name)
{
	return (bsearch(name, text_blocks, nitems(text_blocks),
	    sizeof text_blocks[0], text_cmp) != NULL);
}

/* Elements whose content is never text. */
int
text_is_skipped(const char *name)
{
	return ((name[0] == 's' && strcmp(name, "script") == 0) ||
	    (name[0] == 's' && strcmp(name, "style") == 0));
}

/*
 * If s starts with Unicode white space (Python's str.isspace() set, which
 * is what the reference implementation's \s collapses), its length in
 * bytes; else 0.
 */
size_t
text_space_len(const char *s, size_t len)
{
	const u_char	*p = (const u_char *)s;

	if (len == 0)
		return (0);
	if (p[0] < 0x80) {
		if ((p[0] >= 0x09 && p[0] <= 0x0d) ||
		    (p[0] >= 0x1c && p[0] <= 0x20))
			return (1);
		return (0);
	}
	if (p[0] == 0xc2 && len >= 2 && (p[1] == 0x85 || p[1] == 0xa0))
		return (2);
	if (len < 3)
		return (0);
	if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)	/* U+1680 */
		return (3);
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8a) ||			/* U+2000-200A */
	    p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))	/* 2028 2029 202F */
		return (3);
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)	/* U+205F */
		return (3);
	if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)	/* U+3000 */
		return (3);
	return (0);
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
size_t
text_utf8_len(const char *s, size_t len)
{
	const u_char	*p = (const u_char *)s;
	size_t		 n, i;

	if (p[0] < 0x80)
		return (1);
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
	}
	if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) ||
	    (p[0] == 0xed && p[1] >= 0xa0)))
		return (0);	/* overlong, or a UTF-16 surrogate */
	if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] >= 0x90)))
		return (0);
	return (n);
}

/*
 * C1 controls (U+0080-U+009F) are never text: they are Windows-1252 read
 * as ISO-8859-1 (a feed's wrong declaration, or "&#146;"), so they are
 * read as Windows-1252 the way browsers do; the five it leaves undefined
 * are dropped.  As UTF-8, indexed by the second byte less 0x80.
 */
static const char *text_c1[32] = {
	"\xe2\x82\xac", NULL, "\xe2\x80\x9a", "\xc6\x92", "\xe2\x80\x9e",
	"\xe2\x80\xa6", "\xe2\x80\xa0", "\xe2\x80\xa1", "\xcb\x86",
	"\xe2\x80\xb0", "\xc5\xa0", "\xe2\x80\xb9", "\xc5\x92", NULL,
	"\xc5\xbd", NULL, NULL, "\xe2\x80\x98", "\xe2\x80\x99",
	"\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\xa2", "\xe2\x80\x93",
	"\xe2\x80\x94", "\xcb\x9c", "\xe2\x84\xa2", "\xc5\xa1",
	"\xe2\x80\xba", "\xc5\x93", NULL, "\xc5\xbe", "\xc5\xb8"
};

/* Feed characters: white space collapses, invalid UTF-8 becomes U+FFFD. */
static void
text_chars(struct text *t, const char *s, size_t len)
{
	const u_char	*p = (const u_char *)s, *end = p + len, *run;
	const char	*c1;
	size_t		 n;

	while (p < end) {
		/* A run of plain ASCII that is not white space. */
		run = p;
		while (p < end && *p > 0x20 && *p < 0x7f)
			p++;
		if (p != run) {
			if (t->pending && t->out->len > t->start)
				buf_addc(t->out, ' ');
			t->pending = 0;
			buf_add(t->out, run, p - run);
			continue;
		}
		if ((n = text_space_len((const char *)p, end - p)) != 0) {
			t->pending = 1;
			p += n;
			continue;
		}
		if (t->pending && t->out->len > t->start)
			buf_addc(t->out, ' ');
		t->pending = 0;
		if ((n = text_utf8_len((const char *)p, end - p)) == 0) {
			buf_add(t->out, "\xef\xbf\xbd", 3);
			p++;
		} else if (n == 1 && (*p < 0x20 || *p == 0x7f)) {
			p++;	/* a control character: not text */
		} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
			if ((c1 = text_c1[p[1] - 0x80]) != NULL)
				buf_adds(t->out, c1);
			p += 2;
		} else {
			buf_add(t->out, p, n);
			p += n;
		}
	}
}

/* A block boundary: the words on either side stay apart. */
static void
text_break(struct text *t)
{
	t->pending = 1;
}

/* HTML's white space inside markup (not Unicode's: that is for text). */
#define TEXT_WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || \
	(c) == '\r' || (c) == '\f')
#define TEXT_ALPHA(c) (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')
#define TEXT_DIGIT(c) ((c) >= '0' && (c) <= '9')

/* Code point to UTF-8; returns the length. */
static size_t
text_utf8_put(uint32_t cp, char *s)
{
	if (cp < 0x80) {
		s[0] = (char)cp;
		return (1);
	}
	if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xe0 | cp >> 12);
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		return (3);
	}
	s[0] = (char)(0xf0 | cp >> 18);
	s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	s[3] = (char)(0x80 | (cp & 0x3f));
	return (4);
}

/*
 * The code point an entity name stands for, or 0.  HTML 4's names (those
 * libxml2 knows) and HTML5's upper-case spellings of the XML five; with
 * legacy, only the names HTML5 also accepts without a ';' (the XML ones
 * and Latin-1's).
 */
static uint32_t
text_entity_value(const char *name, size_t len, int legacy)
{
	static const struct {
		const char	*name;
		uint32_t	 cp;
	} common[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "nbsp", 0xa0 }, { "apos", '\'' }, { "AMP", '&' },
		{ "LT", '<' }, { "GT", '>' }, { "QUOT", '"' }, { "COPY", 0xa9 },
		{ "REG", 0xae }
	};
	const htmlEntityDesc	*hd;
	char			 nm[16];
	size_t			 i;

	for (i = 0; i < nitems(common); i++) {
		if (strncmp(name, common[i].name, len) == 0 &&
		    common[i].name[len] == '\0')
			return (legacy && common[i].cp == '\'' ? 0 :
			    common[i].cp);
	}
	if (len >= sizeof nm)
		return (0);
	memcpy(nm, name, len);
	nm[len] = '\0';
	if ((hd = htmlEntityLookup((const xmlChar *)nm)) == NULL)
		return (0);
	if (legacy && (hd->value < 0xa0 || hd->value > 0xff))
		return (0);
	return (hd->value);
}

/*
 * A character reference at p (which is '&'), decoded as HTML5 does in
 * text: numeric ones with or without ';' (NUL, surrogates and beyond
 * U+10FFFF become U+FFFD); named ones exactly, else the longest legacy
 * name that starts the run ("&copy2024", "&amp x").  Anything else is a
 * literal '&'.  Returns where the text goes on.
 */
static const char *
text_ref(struct text *t, const char *p, const char *end)
{
	const char	*q = p + 1, *name;
	char		 u[4];
	uint32_t	 cp = 0;
	size_t		 len, k;
	int		 hex, digits = 0, d;

	if (q < end && *q == '#') {
		q++;
		hex = q < end && (*q == 'x' || *q == 'X');
		if (hex)
			q++;
		for (; q < end; q++, digits++) {
			if (TEXT_DIGIT(*q))
				d = *q - '0';
			else if (hex && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f'))
				d = (*q | 0x20) - 'a' + 10;
			else
				break;
			if (cp <= 0x10ffff)
				cp = cp * (hex ? 16 : 10) + (uint32_t)d;
		}
		if (digits == 0) {
			text_chars(t, "&", 1);
			return (p + 1);
		}
		if (q < end && *q == ';')
			q++;
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			cp = 0xfffd;
		text_chars(t, u, text_utf8_put(cp, u));
		return (q);
	}

	name = q;
	while (q < end && (TEXT_ALPHA(*q) || TEXT_DIGIT(*q)))
		q++;
	len = q - name;
	if (q < end && *q == ';' &&
	    (cp = text_entity_value(name, len, 0)) != 0) {
		text_chars(t, u, text_utf8_put(cp, u));
		return (q + 1);
	}
	for (k = len < 6 ? len : 6; k >= 2; k--) {
		if ((cp = text_entity_value(name, k, 1)) != 0) {
			text_chars(t, u, text_utf8_put(cp, u));
			return (name + k);
		}
	}
	text_chars(t, "&", 1);
	return (p + 1);
}

/*
 * The attributes of a tag whose name ends at p: quoted values may hold
 * '>'.  Returns just past the closing '>', or NULL if the input ends
 * first (a cut-off tag is dropped, never read as text); *selfclose says
 * whether it ended "/>" (not "x/>", where the '/' is the value's).
 */
static const char *
text_attrs(const char *p, const char *end, int *selfclose)
{
	const char	*q;

	for (;;) {
		for (*selfclose = 0; p < end && (TEXT_WS(*p) || *p == '/');
		    p++)
			*selfclose = *p == '/';
		if (p == end)
			return (NULL);
		if (*p == '>')
			return (p + 1);
		for (p++; p < end && !TEXT_WS(*p) && *p != '/' && *p != '>' &&
		    *p != '='; p++)
			;
		while (p < end && TEXT_WS(*p))
			p++;
		if (p == end || *p != '=')
			continue;
		for (p++; p < end && TEXT_WS(*p); p++)
			;
		if (p == end)
			return (NULL);
		if (*p == '"' || *p == '\'') {
			if ((q = memchr(p + 1, *p, end - p - 1)) == NULL)
				return (NULL);
			p = q + 1;
		} else {
			while (p < end && !TEXT_WS(*p) && *p != '>')
				p++;
		}
	}
}

/* Where the raw text of a script or style ends: at its end tag. */
static const char *
text_raw_end(const char *p, const char *end, const char *name, size_t len)
{
	const char	*q;

	while ((q = memchr(p, '<', end - p)) != NULL) {
		if ((size_t)(end - q) >= len + 2 && q[1] == '/' &&
		    strncasecmp(q + 2, name, len) == 0 &&
		    ((size_t)(end - q) == len + 2 || TEXT_WS(q[len + 2]) ||
		    q[len + 2] == '/' || q[len + 2] == '>'))
			return (q);
		p = q + 1;
	}
	return (end);
}

/*
 * A start or end tag whose name starts at p: blocks break words.  A
 * self-closed "<script/>" has no body, as the reference reads it.
 */
static const char *
text_tag(struct text *t, const char *p, const char *end, int closing)
{
	const char	*name = p;
	char		 nm[16];
	size_t		 len, i;
	int		 selfclose;

	while (p < end && !TEXT_WS(*p) && *p != '/' && *p != '>')
		p++;
	len = p - name;
	if ((p = text_attrs(p, end, &selfclose)) == NULL)
		return (end);
	if (len >= sizeof nm)
		return (p);
	for (i = 0; i < len; i++)
		nm[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ?
		    name[i] + 32 : name[i]);
	nm[len] = '\0';
	if (!closing && !selfclose && text_is_skipped(nm))
		return (text_raw_end(p, end, nm, len));
	if (text_is_block(nm))
		text_break(t);
	return (p);
}

/* Past the next '>' (or the end): a bogus comment, "<!DOCTYPE", "<?pi". */
static const char *
text_skip_past(const char *p, const char *end, const char *delim)
{
	const char	*q;

	if ((q = memmem(p, end - p, delim, strlen(delim))) == NULL)
		return (end);
	return (q + strlen(delim));
}

/* Markup at p (which is '<'); a '<' that opens nothing is text. */
static const char *
text_markup(struct text *t, const char *p, const char *end)
{
	const char	*q = p + 1;

	if (q < end && TEXT_ALPHA(*q))
		return (text_tag(t, q, end, 0));
	if (q < end && *q == '/') {
		if (q + 1 < end && TEXT_ALPHA(q[1]))
			return (text_tag(t, q + 1, end, 1));
		if (q + 1 == end) {
			text_chars(t, "</", 2);
			return (end);
		}
		return (text_skip_past(q + 1, end, ">"));
	}
	if (q < end && *q == '!') {
		/* "<!-->" opens a comment, as libxml2 and Python read it. */
		if (end - q >= 3 && q[1] == '-' && q[2] == '-')
			return (text_skip_past(q + 3, end, "-->"));
		if (end - q >= 8 && memcmp(q, "![CDATA[", 8) == 0 &&
		    memmem(q, end - q, "]]>", 3) != NULL)
			return (text_skip_past(q, end, "]]>"));
		return (text_skip_past(q, end, ">"));
	}
	if (q < end && *q == '?')
		return (text_skip_past(q, end, ">"));
	text_chars(t, "<", 1);
	return (q);
}

/*
 * Append the text of an HTML fragment.  A tokenizer after HTML5's (whose
 * results Python's html.parser, the reference, shares): tags, comments and
 * declarations are dropped, script and style bodies are raw text up to
 * their end tag, references are decoded.  It replaced libxml2's HTML
 * parser, which cost five times as much building names, attribute arrays
 * and an implied tree that text never needs.
 */
void
text_html(struct buf *out, const char *html, size_t len)
{
	struct text	 t;
	const char	*p = html, *end = html + len, *run;

	memset(&t, 0, sizeof t);
	t.out = out;
	t.start = out->len;
	while (p < end) {
		for (run = p; p < end && *p != '<' && *p != '&'; p++)
			;
		if (p != run)
			text_chars(&t, run, p - run);
		if (p == end)
			break;
		if (*p == '&')
			p = text_ref(&t, p, end);
		else
			p = text_markup(&t, p, end);
	}
}

/* Append plain text, white space collapsed and trimmed. */
void
text_plain(struct buf *out, const char *s, size_t len)
{
	struct text	t;

	memset(&t, 0, sizeof t);
	t.out = out;
	t.start = out->len;
	text_chars(&t, s, len);
}

/*
 * What an entity reference node stands for, when that is plain text: an
 * internal entity without markup or further references, else an HTML 4
 * entity name (RSS 0.91's DTD declares those; we never load DTDs).  Never
 * expanded recursively, so entity bombs cannot grow here.
 */
const char *
text_entity(xmlNodePtr n, char *tmp, size_t len)
{
	xmlEntityPtr		 ent;
	const htmlEntityDesc	*hd;
	const char		*c;
	int			 k;

	ent = xmlGetDocEntity(n->doc, n->name);
	if (ent != NULL && ent->etype == XML_INTERNAL_GENERAL_ENTITY &&
	    ent->content != NULL) {
		c = (const char *)ent->content;
		if (strpbrk(c, "<&") == NULL && strlen(c) <= 64)
			return (c);
		return (NULL);
	}
	if ((hd = htmlEntityLookup(n->name)) == NULL)
		return (NULL);
	if (len < 5 || (k = xmlCopyCharMultiByte((xmlChar *)tmp,
	    (int)hd->value)) <= 0)
		return (NULL);
	tmp[k] = '\0';
	return (tmp);
}

static void
text_walk(struct text *t, xmlNodePtr n, int depth)
{
	const char	*v;
	char		 tmp[8];
	int		 skip, block;

	for (; n != NULL; n = n->next) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				text_chars(t, (const char *)n->content,
				    strlen((const char *)n->content));
			break;
		case XML_ENTITY_REF_NODE:
			if ((v = text_entity(n, tmp, sizeof tmp)) != NULL)
				text_chars(t, v, strlen(v));
			break;
		case XML_ELEMENT_NODE:
			skip = text_is_skipped((const char *)n->name);
			block = text_is_block((const char *)n->name);
			if (skip || depth > 256)
				break;
			if (block)
				text_break(t);
			text_walk(t, n->children, depth + 1);
			if (block)
				text_break(t);
			break;
		default:	/* comments, processing instructions */
			break;
		}
	}
}

/* Append the text of XML content (Atom type="xhtml"): the same rules as HTML. */
void
text_xml(struct buf *out, xmlNodePtr children)
{
	struct text	t;

	memset(&t, 0, sizeof t);
	t.out = out;
	t.start = out->len;
	text_walk(&t, children, 0);
}
