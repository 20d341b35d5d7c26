/*
 * Item text (SPEC "Item text"): markup reduced to words.  A text sink
 * collapses every run of Unicode white space to one space as it goes and
 * trims both ends, so callers just feed it characters and block breaks.
 * HTML goes through libxml2's HTML parser in SAX mode (no tree is built);
 * Atom type="xhtml" content is walked in the XML tree it already is.
 */
#include "config.h"

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
	int		 skip;		/* depth inside script/style */
	int		 lead;		/* the text so far is a bare '<' */
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

	if (t->skip)
		return;
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

static void
text_start_cb(void *ctx, const xmlChar *name, const xmlChar **atts)
{
	struct text	*t = ctx;
	const char	*n = (const char *)name;

	/*
	 * libxml2 passes on a leading '<' that opens no tag ("<3 this") and
	 * only then implies <html><body><p>: those must not split it from
	 * the text after it.
	 */
	if (t->lead && atts == NULL && (strcmp(n, "p") == 0 ||
	    strcmp(n, "body") == 0 || strcmp(n, "html") == 0))
		return;
	t->lead = 0;
	if (text_is_skipped(n))
		t->skip++;
	else if (text_is_block(n))
		text_break(t);
}

static void
text_end_cb(void *ctx, const xmlChar *name)
{
	struct text	*t = ctx;

	if (text_is_skipped((const char *)name)) {
		if (t->skip > 0)
			t->skip--;
	} else if (text_is_block((const char *)name))
		text_break(t);
}

static void
text_chars_cb(void *ctx, const xmlChar *s, int len)
{
	struct text	*t = ctx;

	t->lead = len == 1 && s[0] == '<' &&
	    (t->lead || t->out->len == t->start);
	text_chars(t, (const char *)s, (size_t)len);
}

/* Script and style bodies arrive as CDATA; they are never text. */
static void
text_cdata_cb(void *ctx, const xmlChar *s, int len)
{
	(void)ctx;
	(void)s;
	(void)len;
}

/*
 * Append the text of an HTML fragment.  No tree is built; whitespace-only
 * runs the parser would call "ignorable" are kept, since between two inline
 * elements they still separate words.
 */
void
text_html(struct buf *out, const char *html, size_t len)
{
	htmlSAXHandler		 sax;
	htmlParserCtxtPtr	 ctxt;
	struct text		 t;
	const char		*p, *end = html + len;

	/* Without markup or references the parser has nothing to do. */
	for (p = html; p < end && *p != '<' && *p != '&'; p++)
		;
	if (p == end) {
		text_plain(out, html, len);
		return;
	}

	memset(&t, 0, sizeof t);
	t.out = out;
	t.start = out->len;
	memset(&sax, 0, sizeof sax);
	sax.startElement = text_start_cb;
	sax.endElement = text_end_cb;
	sax.characters = text_chars_cb;
	sax.ignorableWhitespace = text_chars_cb;
	sax.cdataBlock = text_cdata_cb;

	ctxt = htmlCreatePushParserCtxt(&sax, &t, NULL, 0, NULL,
	    XML_CHAR_ENCODING_UTF8);
	if (ctxt == NULL)
		fatalx("htmlCreatePushParserCtxt failed");
	htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
	    HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
	while (len > 0) {	/* htmlParseChunk takes an int */
		int chunk = len > (1 << 30) ? (1 << 30) : (int)len;

		len -= (size_t)chunk;
		htmlParseChunk(ctxt, html, chunk, 0);
		html += chunk;
	}
	htmlParseChunk(ctxt, NULL, 0, 1);
	htmlFreeParserCtxt(ctxt);
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
