/*
 * Feed documents to items.  libxml2 builds the tree (recover mode for broken
 * feeds; never DTDs, external entities or the network); elements are known by
 * namespace URI and local name, never by prefix.  The references feeds get
 * wrong (bare '&', HTML entities) are made well-formed first, since libxml2's
 * recovery drops them.  Item text is reduced only when asked for, so items
 * already stored cost no HTML parsing.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "mentiond.h"

#define NS_ATOM		"http://www.w3.org/2005/Atom"
#define NS_ATOM03	"http://purl.org/atom/ns#"
#define NS_RDF		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_RSS10	"http://purl.org/rss/1.0/"
#define NS_RSS090	"http://my.netscape.com/rdf/simple/0.9/"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS	"http://purl.org/dc/terms/"

/* What an element is, whatever prefix the document gave it. */
enum feed_ns {
	NS_NONE,	/* no namespace, or the RSS root's own */
	NS_OTHER,
	NS_IS_ATOM,
	NS_IS_ATOM03,
	NS_IS_RDF,
	NS_IS_RSS1,	/* RSS 1.0 or 0.90 */
	NS_IS_CONTENT,
	NS_IS_DC,
	NS_IS_DCTERMS
};

/* How a body or title element holds its text. */
enum feed_kind {
	KIND_TEXT,
	KIND_HTML,
	KIND_XML,
	KIND_BASE64,
	KIND_BASE64_HTML,	/* Atom 0.3 mode="base64" of an HTML type */
	KIND_NONE
};

static xmlParserInputPtr
feed_noload_cb(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return (NULL);	/* never an external entity, DTD or URL */
}

static void
feed_silent_cb(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* Process-wide libxml2 settings: silence, and no loading of anything. */
void
feed_init(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(feed_noload_cb);
	xmlSetGenericErrorFunc(NULL, feed_silent_cb);
	htmlDefaultSAXHandlerInit();
}

const char *
feed_format_name(enum feed_format f)
{
	switch (f) {
	case FEED_RSS:
		return ("rss");
	case FEED_RDF:
		return ("rdf");
	case FEED_ATOM:
		return ("atom");
	case FEED_ATOM03:
		return ("atom03");
	case FEED_UNKNOWN:
		break;
	}
	return ("unknown");
}

static enum feed_ns
feed_ns_of_uri(const char *uri)
{
	if (strcmp(uri, NS_ATOM) == 0)
		return (NS_IS_ATOM);
	if (strcmp(uri, NS_CONTENT) == 0)
		return (NS_IS_CONTENT);
	if (strcmp(uri, NS_DC) == 0)
		return (NS_IS_DC);
	if (strcmp(uri, NS_DCTERMS) == 0)
		return (NS_IS_DCTERMS);
	if (strcmp(uri, NS_RSS10) == 0 || strcmp(uri, NS_RSS090) == 0)
		return (NS_IS_RSS1);
	if (strcmp(uri, NS_RDF) == 0)
		return (NS_IS_RDF);
	if (strcmp(uri, NS_ATOM03) == 0)
		return (NS_IS_ATOM03);
	return (NS_OTHER);
}

/*
 * The namespace and local name of an element.  A prefix the document never
 * declared leaves libxml2 (in recover mode) with "dc:date" as the name; the
 * usual prefixes are then read as their usual namespaces.
 */
static enum feed_ns
feed_name(xmlNodePtr n, const xmlChar *rootns, const char **local)
{
	static const struct {
		const char	*prefix;
		enum feed_ns	 ns;
	} known[] = {
		{ "dc", NS_IS_DC }, { "content", NS_IS_CONTENT },
		{ "atom", NS_IS_ATOM }, { "dcterms", NS_IS_DCTERMS },
		{ "rdf", NS_IS_RDF },
	};
	const char	*name = (const char *)n->name, *colon;
	size_t		 i;

	*local = name;
	if (n->ns != NULL && n->ns->href != NULL) {
		if (rootns != NULL && xmlStrEqual(n->ns->href, rootns))
			return (NS_NONE);
		return (feed_ns_of_uri((const char *)n->ns->href));
	}
	if ((colon = strchr(name, ':')) != NULL) {
		*local = colon + 1;
		for (i = 0; i < nitems(known); i++) {
			if (strlen(known[i].prefix) == (size_t)(colon - name) &&
			    strncmp(name, known[i].prefix, colon - name) == 0)
				return (known[i].ns);
		}
		return (NS_OTHER);
	}
	return (NS_NONE);
}

/* Append the character content of an element (text, CDATA, safe entities). */
static void
feed_string(xmlNodePtr n, struct buf *b)
{
	const char	*v;
	char		 tmp[8];

	for (n = n->children; n != NULL; n = n->next) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				buf_adds(b, (const char *)n->content);
			break;
		case XML_ENTITY_REF_NODE:
			if ((v = text_entity(n, tmp, sizeof tmp)) != NULL)
				buf_adds(b, v);
			break;
		case XML_ELEMENT_NODE:	/* unescaped markup in RSS */
			/* An item recovery put here is not this text. */
			if (!xmlStrEqual(n->name, (const xmlChar *)"item") &&
			    !xmlStrEqual(n->name, (const xmlChar *)"entry"))
				feed_string(n, b);
			break;
		default:
			break;
		}
	}
}

/* The element's content, trimmed, as a new string; NULL if empty. */
static char *
feed_value(xmlNodePtr n)
{
	struct buf	 b;
	char		*s;
	size_t		 start, end;

	buf_init(&b);
	feed_string(n, &b);
	if (b.len == 0) {
		buf_free(&b);
		return (NULL);
	}
	for (start = 0; start < b.len && isspace((u_char)b.data[start]);
	    start++)
		;
	for (end = b.len; end > start && isspace((u_char)b.data[end - 1]);
	    end--)
		;
	if (start == end) {
		buf_free(&b);
		return (NULL);
	}
	s = xstrndup(b.data + start, end - start);
	buf_free(&b);
	return (s);
}

static char *
feed_attr(xmlNodePtr n, const char *name)
{
	xmlChar	*v;
	char	*s;

	if ((v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return (NULL);
	s = xstrdup((const char *)v);
	xmlFree(v);
	return (s);
}

static int
feed_attr_is(xmlNodePtr n, const char *name, const char *value)
{
	xmlChar	*v;
	int	 r;

	if ((v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return (0);
	r = strcasecmp((const char *)v, value) == 0;
	xmlFree(v);
	return (r);
}

/*
 * An Atom link's target: its href, else (an RSS habit) the URL written as
 * the element's text.
 */
static char *
feed_atom_href(xmlNodePtr n)
{
	char	*s;

	if ((s = feed_attr(n, "href")) != NULL)
		return (s);
	return (feed_value(n));
}

/* A reference resolved against xml:base and the document's URL. */
static char *
feed_resolve(xmlNodePtr n, char *href)
{
	xmlChar		*base, *abs;
	const char	*p;
	char		*s;

	for (p = href; isalnum((u_char)*p) || *p == '+' || *p == '-' ||
	    *p == '.'; p++)
		;
	if (*p == ':' && p != href)
		return (href);	/* already absolute */
	if ((base = xmlNodeGetBase(n->doc, n)) == NULL)
		return (href);
	abs = xmlBuildURI((const xmlChar *)href, base);
	xmlFree(base);
	if (abs == NULL)
		return (href);
	s = xstrdup((const char *)abs);
	xmlFree(abs);
	free(href);
	return (s);
}

/* Atom's type/mode attributes (1.0 and 0.3) to a kind of content. */
static enum feed_kind
feed_atom_kind(xmlNodePtr n, int atom03)
{
	xmlChar		*type, *mode;
	const char	*t;
	enum feed_kind	 k;

	if (xmlHasProp(n, (const xmlChar *)"src") != NULL)
		return (KIND_NONE);	/* out-of-line content */
	type = xmlGetProp(n, (const xmlChar *)"type");
	/* type="" is no type: the default, never base64 of nothing known. */
	if (type != NULL && *type != '\0')
		t = (const char *)type;
	else
		t = atom03 ? "text/plain" : "text";
	if (strcasecmp(t, "text") == 0 || strcasecmp(t, "text/plain") == 0)
		k = KIND_TEXT;
	else if (strcasecmp(t, "html") == 0 || strcasecmp(t, "text/html") == 0)
		k = KIND_HTML;
	else if (strcasecmp(t, "xhtml") == 0 ||
	    strcasecmp(t, "application/xhtml+xml") == 0)
		k = KIND_XML;
	else if (strncasecmp(t, "text/", 5) == 0)
		k = KIND_TEXT;
	else if ((strlen(t) > 4 && strcasecmp(t + strlen(t) - 4, "+xml") == 0) ||
	    (strlen(t) > 4 && strcasecmp(t + strlen(t) - 4, "/xml") == 0))
		k = KIND_XML;
	else
		k = KIND_BASE64;
	if (type != NULL)
		xmlFree(type);
	if (atom03 && (mode = xmlGetProp(n, (const xmlChar *)"mode")) != NULL) {
		if (strcasecmp((const char *)mode, "escaped") == 0)
			k = k == KIND_TEXT ? KIND_TEXT : KIND_HTML;
		else if (strcasecmp((const char *)mode, "base64") == 0)
			k = k == KIND_HTML || k == KIND_XML ?
			    KIND_BASE64_HTML : KIND_BASE64;
		xmlFree(mode);
	}
	return (k);
}

/* Decode base64 (white space ignored); -1 if it is not base64. */
static int
feed_base64(const char *s, struct buf *out)
{
	uint32_t	acc = 0;
	int		bits = 0, v;

	for (; *s != '\0'; s++) {
		if (isspace((u_char)*s))
			continue;
		if (*s == '=')
			break;
		if (*s >= 'A' && *s <= 'Z')
			v = *s - 'A';
		else if (*s >= 'a' && *s <= 'z')
			v = *s - 'a' + 26;
		else if (*s >= '0' && *s <= '9')
			v = *s - '0' + 52;
		else if (*s == '+' || *s == '-')
			v = 62;
		else if (*s == '/' || *s == '_')
			v = 63;
		else
			return (-1);
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return (0);
}

/* Append the text an element holds, reduced according to its kind. */
static void
feed_reduce(xmlNodePtr n, enum feed_kind kind, struct buf *out)
{
	struct buf	raw, dec;

	if (kind == KIND_NONE)
		return;
	if (kind == KIND_XML) {
		text_xml(out, n->children);
		return;
	}
	buf_init(&raw);
	feed_string(n, &raw);
	switch (kind) {
	case KIND_HTML:
		text_html(out, raw.data != NULL ? raw.data : "", raw.len);
		break;
	case KIND_BASE64:
	case KIND_BASE64_HTML:
		/* Decoded markup is still markup: reduce it like any HTML. */
		buf_init(&dec);
		if (raw.data != NULL && feed_base64(raw.data, &dec) == 0 &&
		    dec.len > 0) {
			if (kind == KIND_BASE64_HTML)
				text_html(out, dec.data, dec.len);
			else
				text_plain(out, dec.data, dec.len);
		}
		buf_free(&dec);
		break;
	default:
		if (raw.len > 0)
			text_plain(out, raw.data, raw.len);
		break;
	}
	buf_free(&raw);
}

/* How an element holds text in this item's format. */
static enum feed_kind
feed_kind_of(xmlNodePtr n, enum feed_ns ns, enum feed_format fmt)
{
	if (ns == NS_IS_ATOM)
		return (feed_atom_kind(n, 0));
	if (ns == NS_NONE && fmt == FEED_ATOM)
		return (feed_atom_kind(n, 0));
	if (ns == NS_NONE && fmt == FEED_ATOM03)
		return (feed_atom_kind(n, 1));
	return (KIND_HTML);	/* RSS: titles and bodies may hold HTML */
}

/* An item's core namespace: its own elements, by format. */
static int
feed_core(enum feed_ns ns, enum feed_format fmt)
{
	switch (fmt) {
	case FEED_RSS:
		return (ns == NS_NONE || ns == NS_IS_RSS1);
	case FEED_RDF:
		return (ns == NS_NONE || ns == NS_IS_RSS1);
	case FEED_ATOM:
	case FEED_ATOM03:
		return (ns == NS_NONE);
	default:
		return (0);
	}
}

/* 64-bit FNV-1a, for ids of items that carry none. */
static uint64_t
feed_hash(uint64_t h, const char *s)
{
	if (h == 0)
		h = 0xcbf29ce484222325ULL;
	for (; *s != '\0'; s++) {
		h ^= (u_char)*s;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff;	/* a separator, so ("ab","c") != ("a","bc") */
	h *= 0x100000001b3ULL;
	return (h);
}

/* Parse a date from the first candidate that has one. */
static int
feed_date(xmlNodePtr *cand, size_t n, int64_t *t, char **raw)
{
	size_t	 i;
	char	*v;

	for (i = 0; i < n; i++) {
		if (cand[i] == NULL || (v = feed_value(cand[i])) == NULL)
			continue;
		if (date_parse(v, t) == 0) {
			if (raw != NULL && *raw == NULL)
				*raw = v;
			else
				free(v);
			return (1);
		}
		if (raw != NULL && *raw == NULL)
			*raw = v;
		else
			free(v);
	}
	return (0);
}

/* Fill one item from its element. */
static void
feed_item(struct feed *f, xmlNodePtr item, const xmlChar *rootns,
    struct feed_item *it)
{
	xmlNodePtr	 c, title = NULL, dctitle = NULL, guid = NULL;
	xmlNodePtr	 pub[4] = { NULL }, upd[2] = { NULL };
	enum feed_ns	 ns;
	enum feed_kind	 kind;
	const char	*local;
	char		*link = NULL, *alt = NULL, *id = NULL, *rawdate = NULL;
	xmlChar		*about;
	struct buf	 b;
	uint64_t	 h;
	int		 atom = f->format == FEED_ATOM || f->format == FEED_ATOM03;

	memset(it, 0, sizeof *it);
	it->body = item;
	it->body_kind = f->format;

	for (c = item->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		ns = feed_name(c, rootns, &local);
		if (feed_core(ns, f->format)) {
			if (strcmp(local, "title") == 0 && title == NULL)
				title = c;
			else if (!atom && strcmp(local, "link") == 0 &&
			    link == NULL)
				link = feed_value(c);
			else if (!atom && strcmp(local, "guid") == 0 &&
			    guid == NULL)
				guid = c;
			else if (!atom && strcmp(local, "pubDate") == 0 &&
			    pub[0] == NULL)
				pub[0] = c;
			else if (atom && strcmp(local, "id") == 0 && id == NULL)
				id = feed_value(c);
			else if (atom && (strcmp(local, "published") == 0 ||
			    strcmp(local, "issued") == 0) && pub[1] == NULL)
				pub[1] = c;
			else if (atom && (strcmp(local, "updated") == 0 ||
			    strcmp(local, "modified") == 0) && upd[0] == NULL)
				upd[0] = c;
			else if (atom && strcmp(local, "link") == 0 &&
			    alt == NULL && (xmlHasProp(c, (const xmlChar *)
			    "rel") == NULL || feed_attr_is(c, "rel",
			    "alternate")))
				alt = feed_atom_href(c);
			continue;
		}
		switch (ns) {
		case NS_IS_ATOM:
			if (strcmp(local, "published") == 0 && pub[1] == NULL)
				pub[1] = c;
			else if (strcmp(local, "updated") == 0 &&
			    upd[0] == NULL)
				upd[0] = c;
			else if (strcmp(local, "link") == 0 && alt == NULL &&
			    (xmlHasProp(c, (const xmlChar *)"rel") == NULL ||
			    feed_attr_is(c, "rel", "alternate")))
				alt = feed_atom_href(c);
			break;
		case NS_IS_DC:
			if (strcmp(local, "date") == 0 && pub[2] == NULL)
				pub[2] = c;
			else if (strcmp(local, "title") == 0 && dctitle == NULL)
				dctitle = c;
			break;
		case NS_IS_DCTERMS:
			if (strcmp(local, "issued") == 0 && pub[3] == NULL)
				pub[3] = c;
			else if (strcmp(local, "modified") == 0 &&
			    upd[1] == NULL)
				upd[1] = c;
			break;
		default:
			break;
		}
	}

	/* Title. */
	buf_init(&b);
	if (title == NULL)
		title = dctitle;
	if (title != NULL) {
		ns = feed_name(title, rootns, &local);
		kind = feed_kind_of(title, ns, f->format);
		feed_reduce(title, kind, &b);
	}
	it->title = buf_take(&b);

	/* Link: RSS <link>, Atom's alternate link, else a permalink guid. */
	if (link == NULL && alt != NULL) {
		link = alt;
		alt = NULL;
	}
	free(alt);
	if (link == NULL && guid != NULL &&
	    !feed_attr_is(guid, "isPermaLink", "false"))
		link = feed_value(guid);
	if (link != NULL)
		it->link = feed_resolve(item, link);

	/* Dates. */
	it->has_published = feed_date(pub, nitems(pub), &it->published,
	    &rawdate);
	it->has_updated = feed_date(upd, nitems(upd), &it->updated,
	    rawdate == NULL ? &rawdate : NULL);

	/* Id: guid / atom:id / rdf:about, else the link, else a hash. */
	if (guid != NULL)
		id = feed_value(guid);
	if (id == NULL && f->format == FEED_RDF &&
	    (about = xmlGetNsProp(item, (const xmlChar *)"about",
	    (const xmlChar *)NS_RDF)) != NULL) {
		if (*about != '\0')
			id = xstrdup((const char *)about);
		xmlFree(about);
	}
	if (id == NULL && it->link != NULL)
		id = xstrdup(it->link);
	if (id == NULL) {
		h = feed_hash(0, it->title);
		h = feed_hash(h, rawdate != NULL ? rawdate : "");
		xasprintf(&id, "hash:%016llx", (unsigned long long)h);
	}
	it->id = id;
	free(rawdate);
}

/* Append the body: the richest content, else the richest summary. */
static void
feed_body(struct feed_item *it, struct buf *out)
{
	xmlNodePtr		 item = it->body, c;
	enum feed_format	 fmt = it->body_kind;
	enum feed_ns		 ns;
	const xmlChar		*rootns = NULL;
	const char		*local;
	struct buf		 best, tmp;
	int			 pass, content;
	int			 atom = fmt == FEED_ATOM || fmt == FEED_ATOM03;

	if (fmt == FEED_RSS && item->doc->children != NULL) {
		c = xmlDocGetRootElement(item->doc);
		if (c != NULL && c->ns != NULL)
			rootns = c->ns->href;
	} else if (atom && item->ns != NULL)
		rootns = item->ns->href;

	buf_init(&best);
	buf_init(&tmp);
	for (pass = 0; pass < 2 && best.len == 0; pass++) {
		for (c = item->children; c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			ns = feed_name(c, rootns, &local);
			if (pass == 0)
				content = (ns == NS_IS_CONTENT &&
				    strcmp(local, "encoded") == 0) ||
				    ((ns == NS_IS_ATOM || (atom &&
				    ns == NS_NONE)) &&
				    strcmp(local, "content") == 0);
			else
				content = (feed_core(ns, fmt) && !atom &&
				    strcmp(local, "description") == 0) ||
				    ((ns == NS_IS_ATOM || (atom &&
				    ns == NS_NONE)) &&
				    strcmp(local, "summary") == 0);
			if (!content)
				continue;
			buf_reset(&tmp);
			feed_reduce(c, feed_kind_of(c, ns, fmt), &tmp);
			if (tmp.len > best.len) {
				struct buf swap = best;

				best = tmp;
				tmp = swap;
			}
		}
	}
	if (best.len > 0)
		buf_add(out, best.data, best.len);
	buf_free(&best);
	buf_free(&tmp);
}

/* The item text: title, a newline, body (SPEC "Item text"). */
void
feed_item_text(struct feed_item *it, struct buf *out)
{
	buf_adds(out, it->title);
	buf_addc(out, '\n');
	feed_body(it, out);
}

/*
 * The encoding name the XML declaration gives, pointing into buf; NULL when
 * there is no declaration or it names none.
 */
static const char *
feed_decl_encoding(const char *buf, size_t len, size_t *enclen)
{
	const char	*e, *end, *s;
	size_t		 n;

	if (len < 5 || memcmp(buf, "<?xml", 5) != 0)
		return (NULL);
	n = len < 200 ? len : 200;
	if ((end = memchr(buf, '>', n)) == NULL)
		return (NULL);
	e = buf;
	while ((e = memchr(e, 'e', end - e)) != NULL) {
		if ((size_t)(end - e) > 8 && strncmp(e, "encoding", 8) == 0)
			break;
		e++;
	}
	if (e == NULL)
		return (NULL);
	e += 8;
	while (e < end && (*e == ' ' || *e == '=' || *e == '"' || *e == '\''))
		e++;
	for (s = e; s < end && *s != '"' && *s != '\'' && *s != ' ' &&
	    *s != '?'; s++)
		;
	*enclen = s - e;
	return (*enclen > 0 ? e : NULL);
}

/*
 * Whether the document is to be read as UTF-8: declared so, or undeclared
 * without a UTF-16/32 byte-order mark.
 */
static int
feed_is_utf8(const char *buf, size_t len)
{
	const u_char	*p = (const u_char *)buf;
	const char	*e;
	size_t		 n;

	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return (1);
	if (len >= 2 && ((p[0] == 0xfe && p[1] == 0xff) ||
	    (p[0] == 0xff && p[1] == 0xfe) || p[0] == 0 || p[1] == 0))
		return (0);
	if ((e = feed_decl_encoding(buf, len, &n)) == NULL)
		return (1);
	return ((n == 5 && strncasecmp(e, "utf-8", 5) == 0) ||
	    (n == 4 && strncasecmp(e, "utf8", 4) == 0));
}

/*
 * Whether every byte below 0x80 in the document is the ASCII character,
 * so markup can be read without decoding: not UTF-16/32 and not one of
 * the 7-bit encodings that shift into other character sets.  (In the
 * multi-byte CJK encodings '&', '<' and ';' are never part of a character.)
 */
static int
feed_ascii_based(const char *buf, size_t len)
{
	static const char	*shifted[] = { "utf-7", "iso-2022", "hz",
	    "utf-16", "utf-32", "ucs" };
	const u_char		*p = (const u_char *)buf;
	const char		*e;
	size_t			 n, i;

	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		return (1);
	/* UTF-16/32 have a NUL or a BOM up front; 0x4c is EBCDIC's '<'. */
	if (len < 2 || p[0] == 0 || p[1] == 0 || p[0] >= 0x80 || p[0] == 0x4c)
		return (0);
	if ((e = feed_decl_encoding(buf, len, &n)) == NULL)
		return (1);
	for (i = 0; i < nitems(shifted); i++) {
		if (n >= strlen(shifted[i]) &&
		    strncasecmp(e, shifted[i], strlen(shifted[i])) == 0)
			return (0);
	}
	return (1);
}

/*
 * The length of the valid XML reference at p ("&name;", "&#123;",
 * "&#x7b;"); 0 if there is none; -1 for "&#X7B;", the HTML spelling.
 * Names longer than any entity's are not looked at further.
 */
static int
feed_ref_len(const char *p, const char *end)
{
	const char	*s = p + 1, *lim;
	int		 upper = 0;

	lim = end - p > 64 ? p + 64 : end;
	if (s < lim && *s == '#') {
		s++;
		if (s < lim && (*s == 'x' || *s == 'X')) {
			upper = *s++ == 'X';
			if (s >= lim || !isxdigit((u_char)*s))
				return (0);
			while (s < lim && isxdigit((u_char)*s))
				s++;
		} else {
			if (s >= lim || !isdigit((u_char)*s))
				return (0);
			while (s < lim && isdigit((u_char)*s))
				s++;
		}
	} else {
		if (s >= lim || !(isalpha((u_char)*s) || *s == '_' ||
		    *s == ':' || (u_char)*s >= 0x80))
			return (0);
		while (s < lim && (isalnum((u_char)*s) || *s == '_' ||
		    *s == ':' || *s == '-' || *s == '.' || (u_char)*s >= 0x80))
			s++;
	}
	if (s >= lim || *s != ';')
		return (0);
	return (upper ? -1 : (int)(s + 1 - p));
}

/* The first c at or after p; end if there is none. */
static const char *
feed_find(const char *p, const char *end, char c)
{
	const char	*s;

	if (p >= end || (s = memchr(p, c, end - p)) == NULL)
		return (end);
	return (s);
}

/* Past the first occurrence of pat at or after p; end if there is none. */
static const char *
feed_skip_past(const char *p, const char *end, const char *pat)
{
	size_t	n = strlen(pat);

	while ((p = feed_find(p, end, pat[0])) != end) {
		if ((size_t)(end - p) < n)
			break;
		if (memcmp(p, pat, n) == 0)
			return (p + n);
		p++;
	}
	return (end);
}

/* Past the DOCTYPE at p; *subset set if it declares things of its own. */
static const char *
feed_skip_doctype(const char *p, const char *end, int *subset)
{
	while (p < end && *p != '[' && *p != '>')
		p++;
	if (p < end && *p == '[') {	/* "]", then ">" ends the subset */
		*subset = 1;
		p = feed_skip_past(p, end, "]");
	}
	return (feed_skip_past(p, end, ">"));
}

/*
 * What to write for the named reference "&name;" (len bytes of name):
 * NULL to keep it, else its replacement.  The five XML entities are kept
 * unless all is set, and so is every name when the document declares
 * entities of its own.  Otherwise an HTML entity name (feeds use them
 * without any DTD) becomes its character reference and any other name is
 * text, its '&' escaped ("").
 */
static const char *
feed_ref_fix(const char *name, size_t len, int all, int subset, char *tmp,
    size_t tmplen)
{
	static const struct {
		const char	*name;
		size_t		 len;
		const char	*ref;
	} xml[] = {
		{ "amp", 3, "&#38;" }, { "lt", 2, "&#60;" },
		{ "gt", 2, "&#62;" }, { "quot", 4, "&#34;" },
		{ "apos", 4, "&#39;" }
	};
	const htmlEntityDesc	*hd;
	char			 nm[64];
	size_t			 i;

	for (i = 0; i < nitems(xml); i++) {
		if (xml[i].len == len && memcmp(name, xml[i].name, len) == 0)
			return (all ? xml[i].ref : NULL);
	}
	if (subset)
		return (NULL);
	if (len < sizeof nm) {
		memcpy(nm, name, len);
		nm[len] = '\0';
		if ((hd = htmlEntityLookup((const xmlChar *)nm)) != NULL) {
			snprintf(tmp, tmplen, "&#%u;", hd->value);
			return (tmp);
		}
	}
	return ("");
}

/*
 * A copy of the document with its references made well-formed, or NULL if
 * they are: a bare '&' (an unescaped query string, "AT&T") becomes
 * "&amp;" rather than being dropped with the name after it; "&#X41;"
 * becomes "&#x41;"; an HTML entity becomes a character reference.  With
 * all, the five XML entities become character references too.  CDATA,
 * comments, processing instructions and the DOCTYPE are left alone.
 */
static char *
feed_repair_refs(const char *buf, size_t len, int all, size_t *outlen)
{
	const char	*p = buf, *end = buf + len, *done = buf, *rep;
	const char	*amp, *lt;
	struct buf	 b;
	char		 tmp[16];
	int		 n, fixed = 0, subset = 0;

	/* memchr is fast; most documents need only this. */
	amp = feed_find(p, end, '&');
	lt = feed_find(p, end, '<');
	for (;;) {
		if (amp < p)
			amp = feed_find(p, end, '&');
		if (lt < p)
			lt = feed_find(p, end, '<');
		if ((p = amp < lt ? amp : lt) == end)
			break;
		if (*p == '<') {
			if (end - p < 2 || (p[1] != '!' && p[1] != '?'))
				p++;	/* a tag: the commonest case */
			else if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0)
				p = feed_skip_past(p + 9, end, "]]>");
			else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0)
				p = feed_skip_past(p + 4, end, "-->");
			else if (p[1] == '?')
				p = feed_skip_past(p + 2, end, "?>");
			else if (end - p >= 9 && memcmp(p, "<!DOCTYPE", 9) == 0)
				p = feed_skip_doctype(p, end, &subset);
			else
				p++;
			continue;
		}
		n = feed_ref_len(p, end);
		if (n > 0 && p[1] == '#') {
			p += n;
			continue;
		}
		rep = n > 0 ? feed_ref_fix(p + 1, n - 2, all, subset, tmp,
		    sizeof tmp) : "";
		if (rep == NULL) {
			p += n;
			continue;
		}
		if (!fixed) {
			buf_init(&b);
			fixed = 1;
		}
		buf_add(&b, done, p - done);
		if (n < 0) {
			buf_adds(&b, "&#x");
			done = p + 3;
		} else if (*rep == '\0') {
			buf_adds(&b, "&amp;");
			done = p + 1;
		} else {
			buf_adds(&b, rep);
			done = p + n;
		}
		p = done;
	}
	if (!fixed)
		return (NULL);
	buf_add(&b, done, end - done);
	*outlen = b.len;
	return (buf_take(&b));
}

/*
 * A copy of a would-be UTF-8 document with each invalid byte read as
 * Windows-1252, the usual cause; NULL when it is valid already.
 */
static char *
feed_repair_utf8(const char *buf, size_t len, size_t *outlen)
{
	static const uint16_t	 cp1252[32] = {
		0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
		0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
	};
	const u_char		*p = (const u_char *)buf, *end = p + len;
	struct buf		 b;
	size_t			 n;
	uint32_t		 cp;

	/* Most documents are valid: check before copying anything. */
	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((n = text_utf8_len((const char *)p, end - p)) == 0)
			break;
		p += n;
	}
	if (p == end)
		return (NULL);

	buf_init(&b);
	buf_add(&b, buf, (const char *)p - buf);
	while (p < end) {
		if (*p < 0x80) {
			buf_addc(&b, (char)*p++);
			continue;
		}
		if ((n = text_utf8_len((const char *)p, end - p)) != 0) {
			buf_add(&b, p, n);
			p += n;
			continue;
		}
		cp = *p < 0xa0 ? cp1252[*p - 0x80] : *p;
		if (cp < 0x800) {
			buf_addc(&b, (char)(0xc0 | (cp >> 6)));
			buf_addc(&b, (char)(0x80 | (cp & 0x3f)));
		} else {
			buf_addc(&b, (char)(0xe0 | (cp >> 12)));
			buf_addc(&b, (char)(0x80 | ((cp >> 6) & 0x3f)));
			buf_addc(&b, (char)(0x80 | (cp & 0x3f)));
		}
		p++;
	}
	*outlen = b.len;
	return (buf_take(&b));
}

static int
feed_root_is(xmlNodePtr root, const char *name, const char *ns)
{
	if (!xmlStrEqual(root->name, (const xmlChar *)name))
		return (0);
	if (ns == NULL)
		return (1);
	return (root->ns != NULL && xmlStrEqual(root->ns->href,
	    (const xmlChar *)ns));
}

static void	feed_add(struct feed *, xmlNodePtr, const xmlChar *, size_t *);

static int
feed_same_element(xmlNodePtr a, xmlNodePtr b)
{
	if (!xmlStrEqual(a->name, b->name))
		return (0);
	if (a->ns == NULL || b->ns == NULL)
		return (a->ns == b->ns);
	return (xmlStrEqual(a->ns->href, b->ns->href));
}

/* Items that recovery nested inside another item's elements. */
static void
feed_add_nested(struct feed *f, xmlNodePtr item, xmlNodePtr n,
    const xmlChar *rootns, size_t *cap)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (feed_same_element(n, item))
			feed_add(f, n, rootns, cap);
		else
			feed_add_nested(f, item, n->children, rootns, cap);
	}
}

/*
 * Add an item.  In a recovered document, also the items inside it: libxml2
 * closes an unclosed element (HTML left unescaped) only with its parent,
 * so the items after it end up inside this one.  (Its depth limit bounds
 * the recursion.)
 */
static void
feed_add(struct feed *f, xmlNodePtr item, const xmlChar *rootns,
    size_t *cap)
{
	if (f->nitems == *cap) {
		*cap = *cap == 0 ? 32 : *cap * 2;
		f->items = xreallocarray(f->items, *cap, sizeof *f->items);
	}
	feed_item(f, item, rootns, &f->items[f->nitems++]);
	if (f->recovered)
		feed_add_nested(f, item, item->children, rootns, cap);
}

/* One libxml2 parse: recover mode, and nothing loaded from anywhere. */
static xmlDocPtr
feed_read(const char *buf, size_t len, const char *base, int utf8,
    int *wellformed)
{
	xmlParserCtxtPtr	 ctxt;
	xmlDocPtr		 doc;
	int			 opts;

	*wellformed = 0;
	if (len > INT_MAX)
		return (NULL);
	if ((ctxt = xmlNewParserCtxt()) == NULL)
		fatalx("xmlNewParserCtxt failed");
	opts = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
	doc = xmlCtxtReadMemory(ctxt, buf, (int)len, base,
	    utf8 ? "UTF-8" : NULL, opts);
	*wellformed = ctxt->wellFormed;
	xmlFreeParserCtxt(ctxt);
	return (doc);
}

/*
 * Parse a feed document.  base is the URL it came from (for relative links),
 * or NULL.  On failure returns NULL and a cause.
 */
struct feed *
feed_parse(const char *buf, size_t len, const char *base, char **cause)
{
	xmlDocPtr		 doc;
	xmlNodePtr		 root, c, cc;
	struct feed		*f;
	char			*fixed = NULL, *refs;
	const xmlChar		*rootns = NULL;
	const char		*local;
	size_t			 cap = 0, fixedlen = 0;
	int			 wellformed, again, ascii, utf8 = 0;

	if (len > INT_MAX) {
		*cause = xstrdup("document too large");
		return (NULL);
	}
	if (len == 0) {
		*cause = xstrdup("empty document");
		return (NULL);
	}
	if (feed_is_utf8(buf, len) &&
	    (fixed = feed_repair_utf8(buf, len, &fixedlen)) != NULL) {
		buf = fixed;
		len = fixedlen;
		utf8 = 1;
	}
	ascii = feed_ascii_based(buf, len);
	if (ascii &&
	    (refs = feed_repair_refs(buf, len, 0, &fixedlen)) != NULL) {
		free(fixed);
		buf = fixed = refs;
		len = fixedlen;
	}
	doc = feed_read(buf, len, base, utf8, &wellformed);

	/*
	 * After its first error libxml2 drops every entity reference, even
	 * "&lt;" (escaped HTML would lose its tags), but never a character
	 * reference: so spell them all as those and read the document again.
	 */
	if (doc != NULL && !wellformed && ascii &&
	    (refs = feed_repair_refs(buf, len, 1, &fixedlen)) != NULL) {
		xmlFreeDoc(doc);
		doc = feed_read(refs, fixedlen, base, utf8, &again);
		free(refs);
	}
	wellformed = wellformed && fixed == NULL;
	free(fixed);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
		if (doc != NULL)
			xmlFreeDoc(doc);
		*cause = xstrdup("not XML (no root element)");
		return (NULL);
	}

	f = xcalloc(1, sizeof *f);
	f->doc = doc;
	f->recovered = !wellformed;
	if (feed_root_is(root, "rss", NULL) ||
	    feed_root_is(root, "channel", NULL)) {
		f->format = FEED_RSS;
		if (root->ns != NULL)
			rootns = root->ns->href;
	} else if (feed_root_is(root, "RDF", NS_RDF))
		f->format = FEED_RDF;
	else if (feed_root_is(root, "feed", NS_ATOM) ||
	    feed_root_is(root, "entry", NS_ATOM))
		f->format = FEED_ATOM;
	else if (feed_root_is(root, "feed", NS_ATOM03) ||
	    feed_root_is(root, "feed", NULL) ||
	    feed_root_is(root, "entry", NS_ATOM03))
		f->format = FEED_ATOM03;
	if (f->format == FEED_ATOM || f->format == FEED_ATOM03) {
		if (root->ns != NULL)
			rootns = root->ns->href;
	}

	switch (f->format) {
	case FEED_RSS:
		/* Items belong in <channel>; some feeds put them beside it. */
		for (c = root->name[0] == 'c' ? root : root->children;
		    c != NULL; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			feed_name(c, rootns, &local);
			if (strcmp(local, "item") == 0)
				feed_add(f, c, rootns, &cap);
			else if (strcmp(local, "channel") == 0) {
				for (cc = c->children; cc != NULL;
				    cc = cc->next) {
					if (cc->type != XML_ELEMENT_NODE)
						continue;
					feed_name(cc, rootns, &local);
					if (strcmp(local, "item") == 0)
						feed_add(f, cc, rootns, &cap);
				}
			}
			if (root->name[0] == 'c')
				break;
		}
		break;
	case FEED_RDF:
		for (c = root->children; c != NULL; c = c->next) {
			if (c->type == XML_ELEMENT_NODE &&
			    feed_name(c, NULL, &local) != NS_OTHER &&
			    strcmp(local, "item") == 0)
				feed_add(f, c, NULL, &cap);
		}
		break;
	case FEED_ATOM:
	case FEED_ATOM03:
		if (strcmp((const char *)root->name, "entry") == 0) {
			feed_add(f, root, rootns, &cap);
			break;
		}
		for (c = root->children; c != NULL; c = c->next) {
			if (c->type == XML_ELEMENT_NODE &&
			    feed_name(c, rootns, &local) == NS_NONE &&
			    strcmp(local, "entry") == 0)
				feed_add(f, c, rootns, &cap);
		}
		break;
	case FEED_UNKNOWN:
		xasprintf(cause, "not an RSS or Atom feed (root element <%s>)",
		    (const char *)root->name);
		feed_free(f);
		return (NULL);
	}
	return (f);
}

void
feed_free(struct feed *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nitems; i++) {
		free(f->items[i].id);
		free(f->items[i].link);
		free(f->items[i].title);
	}
	free(f->items);
	if (f->doc != NULL)
		xmlFreeDoc(f->doc);
	free(f);
}

/* libxml2's error handlers are per thread: silence a worker thread's too. */
void
feed_init_thread(void)
{
	xmlSetGenericErrorFunc(NULL, feed_silent_cb);
}
