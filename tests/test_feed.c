/*
 * feed.c: formats, namespaces by URI, body choice, ids, dates, encodings,
 * recovery, and safety against external entities and entity bombs.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mentiond.h"

static struct feed *
parse(const char *doc)
{
	struct feed	*f;
	char		*cause = NULL;

	f = feed_parse(doc, strlen(doc), NULL, &cause);
	if (f == NULL)
		fail_msg("feed_parse: %s", cause);
	return (f);
}

static char *
item_text(struct feed *f, size_t i)
{
	struct buf	b;

	buf_init(&b);
	feed_item_text(&f->items[i], &b);
	return (buf_take(&b));
}

static void
test_rss2_item_fields(void **state)
{
	struct feed	*f;
	char		*t;

	(void)state;
	f = parse("<rss version=\"2.0\"><channel><title>c</title>"
	    "<item><title>One &amp; two</title>"
	    "<link> https://ex.org/1 </link><guid>g-1</guid>"
	    "<pubDate>Thu, 13 Nov 2025 09:30:00 -0500</pubDate>"
	    "<description>&lt;p&gt;Body&lt;/p&gt;</description></item>"
	    "</channel></rss>");
	assert_int_equal(f->format, FEED_RSS);
	assert_int_equal(f->nitems, 1);
	assert_string_equal(f->items[0].id, "g-1");
	assert_string_equal(f->items[0].link, "https://ex.org/1");
	assert_string_equal(f->items[0].title, "One & two");
	assert_true(f->items[0].has_published);
	assert_int_equal(f->items[0].published, 1763044200);
	t = item_text(f, 0);
	assert_string_equal(t, "One & two\nBody");
	free(t);
	feed_free(f);
}

static void
test_items_keep_document_order(void **state)
{
	struct feed	*f;

	(void)state;
	f = parse("<rss><channel><item><guid>a</guid></item>"
	    "<item><guid>b</guid></item><item><guid>c</guid></item>"
	    "</channel></rss>");
	assert_int_equal(f->nitems, 3);
	assert_string_equal(f->items[0].id, "a");
	assert_string_equal(f->items[2].id, "c");
	feed_free(f);
}

static void
test_content_encoded_wins_over_description(void **state)
{
	struct feed	*f;
	char		*t;

	(void)state;
	f = parse("<rss xmlns:content=\"http://purl.org/rss/1.0/modules/"
	    "content/\"><channel><item><title>T</title>"
	    "<description>teaser</description>"
	    "<content:encoded><![CDATA[<p>full body</p>]]></content:encoded>"
	    "</item></channel></rss>");
	t = item_text(f, 0);
	assert_string_equal(t, "T\nfull body");
	free(t);
	feed_free(f);
}

/* Namespaces are matched by URI: any prefix works, a wrong URI does not. */
static void
test_namespaces_are_matched_by_uri_not_prefix(void **state)
{
	struct feed	*f;
	char		*t;

	(void)state;
	f = parse("<rss xmlns:c=\"http://purl.org/rss/1.0/modules/content/\" "
	    "xmlns:content=\"http://example.org/not-content\" "
	    "xmlns:d=\"http://purl.org/dc/elements/1.1/\"><channel><item>"
	    "<title>T</title><description>desc</description>"
	    "<content:encoded>impostor</content:encoded>"
	    "<c:encoded>real body</c:encoded>"
	    "<d:date>2025-11-13T00:00:00Z</d:date></item></channel></rss>");
	t = item_text(f, 0);
	assert_string_equal(t, "T\nreal body");
	assert_true(f->items[0].has_published);
	assert_int_equal(f->items[0].published, 1762992000);
	free(t);
	feed_free(f);

	f = parse("<a:feed xmlns:a=\"http://www.w3.org/2005/Atom\"><a:entry>"
	    "<a:id>urn:x</a:id><a:title>Prefixed</a:title></a:entry>"
	    "</a:feed>");
	assert_int_equal(f->format, FEED_ATOM);
	assert_int_equal(f->nitems, 1);
	assert_string_equal(f->items[0].id, "urn:x");
	assert_string_equal(f->items[0].title, "Prefixed");
	feed_free(f);
}

static void
test_rdf_items_take_their_id_from_rdf_about(void **state)
{
	struct feed	*f;

	(void)state;
	f = parse("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-"
	    "syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\" "
	    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
	    "<channel rdf:about=\"http://ex.org/\"><title>c</title></channel>"
	    "<item rdf:about=\"http://ex.org/1\"><title>R</title>"
	    "<link>http://ex.org/1.html</link>"
	    "<dc:date>2025-11-13T10:00:00+01:00</dc:date></item></rdf:RDF>");
	assert_int_equal(f->format, FEED_RDF);
	assert_int_equal(f->nitems, 1);
	assert_string_equal(f->items[0].id, "http://ex.org/1");
	assert_string_equal(f->items[0].link, "http://ex.org/1.html");
	assert_int_equal(f->items[0].published, 1763024400);
	feed_free(f);
}

static void
test_atom_xhtml_content_and_updated_fallback(void **state)
{
	struct feed	*f;
	char		*t;

	(void)state;
	f = parse("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
	    "<id>e1</id><title type=\"html\">&lt;b&gt;Bold&lt;/b&gt; news"
	    "</title><link rel=\"alternate\" href=\"https://ex.org/e1\"/>"
	    "<link rel=\"edit\" href=\"https://ex.org/edit\"/>"
	    "<updated>2025-11-14T08:00:00Z</updated>"
	    "<summary>short</summary>"
	    "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/"
	    "xhtml\"><p>Wo<em>rd</em></p><p>next</p></div></content>"
	    "</entry></feed>");
	assert_string_equal(f->items[0].title, "Bold news");
	assert_string_equal(f->items[0].link, "https://ex.org/e1");
	assert_false(f->items[0].has_published);
	assert_true(f->items[0].has_updated);
	assert_int_equal(f->items[0].updated, 1763107200);
	t = item_text(f, 0);
	assert_string_equal(t, "Bold news\nWord next");
	free(t);
	feed_free(f);
}

static void
test_id_falls_back_to_link_then_to_a_stable_hash(void **state)
{
	struct feed	*f, *g;

	(void)state;
	f = parse("<rss><channel><item><title>A</title>"
	    "<link>https://ex.org/a</link></item>"
	    "<item><title>B</title><pubDate>Thu, 13 Nov 2025 00:00:00 GMT"
	    "</pubDate></item><item><title>C</title><pubDate>Thu, 13 Nov "
	    "2025 00:00:00 GMT</pubDate></item></channel></rss>");
	assert_string_equal(f->items[0].id, "https://ex.org/a");
	assert_non_null(f->items[1].id);
	assert_string_not_equal(f->items[1].id, f->items[2].id);
	g = parse("<rss><channel><item><title>B</title><pubDate>Thu, 13 Nov "
	    "2025 00:00:00 GMT</pubDate></item></channel></rss>");
	assert_string_equal(f->items[1].id, g->items[0].id);
	feed_free(f);
	feed_free(g);
}

static void
test_a_non_permalink_guid_is_not_a_link(void **state)
{
	struct feed	*f;

	(void)state;
	f = parse("<rss><channel><item><guid isPermaLink=\"false\">"
	    "http://g/1</guid></item><item><guid>http://g/2</guid></item>"
	    "</channel></rss>");
	assert_null(f->items[0].link);
	assert_string_equal(f->items[1].link, "http://g/2");
	feed_free(f);
}

static void
test_declared_latin1_is_decoded_to_utf8(void **state)
{
	struct feed	*f;

	(void)state;
	f = parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"
	    "<rss><channel><item><title>caf\xe9</title></item></channel>"
	    "</rss>");
	assert_string_equal(f->items[0].title, "caf\xc3\xa9");
	assert_false(f->recovered);
	feed_free(f);
}

static void
test_byte_order_marks_are_honoured(void **state)
{
	static const char	 le[] = "\xff\xfe<\0r\0s\0s\0>\0<\0c\0h\0a\0n\0"
	    "n\0e\0l\0>\0<\0i\0t\0e\0m\0>\0<\0t\0i\0t\0l\0e\0>\0\xe9\0<\0/\0"
	    "t\0i\0t\0l\0e\0>\0<\0/\0i\0t\0e\0m\0>\0<\0/\0c\0h\0a\0n\0n\0e\0"
	    "l\0>\0<\0/\0r\0s\0s\0>\0";
	struct feed		*f;
	char			*cause = NULL;

	(void)state;
	f = parse("\xef\xbb\xbf<rss><channel><item><title>bom</title></item>"
	    "</channel></rss>");
	assert_string_equal(f->items[0].title, "bom");
	feed_free(f);

	f = feed_parse(le, sizeof le - 1, NULL, &cause);
	assert_non_null(f);
	assert_int_equal(f->nitems, 1);
	assert_string_equal(f->items[0].title, "\xc3\xa9");
	feed_free(f);
}

/* Stray Windows-1252 bytes in a UTF-8 feed: read as 1252, rest intact. */
static void
test_invalid_utf8_bytes_are_read_as_windows_1252(void **state)
{
	struct feed	*f;

	(void)state;
	f = parse("<rss><channel><item><title>Lively\x92s \xe2\x80\x9c"
	    "film\xe2\x80\x9d</title></item></channel></rss>");
	assert_string_equal(f->items[0].title,
	    "Lively\xe2\x80\x99s \xe2\x80\x9c" "film\xe2\x80\x9d");
	assert_true(f->recovered);
	feed_free(f);
}

/* A bare ampersand and a truncated end: both items survive. */
static void
test_malformed_feed_is_recovered(void **state)
{
	struct feed	*f;

	(void)state;
	f = parse("<rss><channel><item><title>one & only</title></item>"
	    "<item><title>second</title><description>cut");
	assert_true(f->recovered);
	assert_int_equal(f->nitems, 2);
	assert_string_equal(f->items[0].title, "one & only");
	assert_string_equal(f->items[1].title, "second");
	feed_free(f);
}

/*
 * Unescaped HTML left open inside an item swallows the next item in the
 * recovered tree; the swallowed item is still an item, and not part of the
 * first one's text.
 */
static void
test_unclosed_markup_does_not_swallow_the_next_item(void **state)
{
	struct feed	*f;
	char		*t;

	(void)state;
	f = parse("<rss><channel><item><title>first</title>"
	    "<description>unclosed <b>bold</description></item>"
	    "<item><title>second</title><description>two</description>"
	    "</item></channel></rss>");
	assert_true(f->recovered);
	assert_int_equal(f->nitems, 2);
	assert_string_equal(f->items[1].title, "second");
	t = item_text(f, 0);
	assert_null(strstr(t, "second"));
	free(t);
	feed_free(f);
}

static void
test_external_entities_are_never_loaded(void **state)
{
	struct feed	*f;
	char		*t;

	(void)state;
	f = parse("<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "
	    "\"file:///etc/passwd\">]><rss><channel><item><title>a&xxe;b"
	    "</title><description>&xxe;</description></item></channel>"
	    "</rss>");
	t = item_text(f, 0);
	assert_null(strstr(t, "root:"));
	free(t);
	feed_free(f);
}

/* Billion laughs: fails safely, quickly, and without a huge expansion. */
static void
test_entity_expansion_bomb_is_harmless(void **state)
{
	struct buf	 doc;
	struct feed	*f;
	char		*cause = NULL, *t;
	time_t		 start = time(NULL);
	int		 i;

	(void)state;
	buf_init(&doc);
	buf_adds(&doc, "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY l0 "
	    "\"ha\">");
	for (i = 1; i <= 30; i++)
		buf_printf(&doc, "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;"
		    "&l%d;&l%d;&l%d;&l%d;&l%d;\">", i, i - 1, i - 1, i - 1,
		    i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	buf_adds(&doc, "]><rss><channel><item><title>&l30;</title>"
	    "<description>&l30;</description></item></channel></rss>");
	f = feed_parse(doc.data, doc.len, NULL, &cause);
	if (f != NULL) {
		if (f->nitems > 0) {
			t = item_text(f, 0);
			assert_true(strlen(t) < 1024 * 1024);
			free(t);
		}
		feed_free(f);
	} else
		free(cause);
	assert_true(time(NULL) - start < 10);
	buf_free(&doc);
}

static void
test_non_feeds_are_refused_with_the_root_named(void **state)
{
	struct feed	*f;
	char		*cause = NULL;

	(void)state;
	f = feed_parse("<html><body/></html>", 20, NULL, &cause);
	assert_null(f);
	assert_non_null(strstr(cause, "<html>"));
	free(cause);
	cause = NULL;
	f = feed_parse("", 0, NULL, &cause);
	assert_null(f);
	free(cause);
	cause = NULL;
	f = feed_parse("garbage \x01\x02", 10, NULL, &cause);
	assert_null(f);
	free(cause);
}

static void
test_relative_links_resolve_against_xml_base(void **state)
{
	struct feed	*f;

	(void)state;
	f = parse("<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	    "xml:base=\"http://ex.org/news/\"><entry><id>1</id>"
	    "<link href=\"story.html\"/></entry></feed>");
	assert_string_equal(f->items[0].link, "http://ex.org/news/story.html");
	feed_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss2_item_fields),
		cmocka_unit_test(test_items_keep_document_order),
		cmocka_unit_test(test_content_encoded_wins_over_description),
		cmocka_unit_test(test_namespaces_are_matched_by_uri_not_prefix),
		cmocka_unit_test(test_rdf_items_take_their_id_from_rdf_about),
		cmocka_unit_test(test_atom_xhtml_content_and_updated_fallback),
		cmocka_unit_test(
		    test_id_falls_back_to_link_then_to_a_stable_hash),
		cmocka_unit_test(test_a_non_permalink_guid_is_not_a_link),
		cmocka_unit_test(test_declared_latin1_is_decoded_to_utf8),
		cmocka_unit_test(test_byte_order_marks_are_honoured),
		cmocka_unit_test(
		    test_invalid_utf8_bytes_are_read_as_windows_1252),
		cmocka_unit_test(test_malformed_feed_is_recovered),
		cmocka_unit_test(
		    test_unclosed_markup_does_not_swallow_the_next_item),
		cmocka_unit_test(test_external_entities_are_never_loaded),
		cmocka_unit_test(test_entity_expansion_bomb_is_harmless),
		cmocka_unit_test(
		    test_non_feeds_are_refused_with_the_root_named),
		cmocka_unit_test(test_relative_links_resolve_against_xml_base),
	};

	feed_init();
	return (cmocka_run_group_tests_name("feed", tests, NULL, NULL));
}
