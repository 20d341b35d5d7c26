/*
 * text.c: HTML and plain text to item text (SPEC "What is counted", Item
 * text).  One test per rule of the SPEC at least; expected strings are
 * written by hand from the SPEC.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mentiond.h"

static void
check(void (*fn)(struct buf *, const char *, size_t), const char *name,
    const char *in, size_t len, const char *want)
{
	struct buf	b;

	buf_init(&b);
	fn(&b, in, len);
	if (b.data == NULL)
		buf_adds(&b, "");
	if (strcmp(b.data, want) != 0 || b.len != strlen(want))
		fail_msg("%s(\"%s\"): got \"%s\", want \"%s\"", name, in,
		    b.data, want);
	buf_free(&b);
}

static void
html_is(const char *in, const char *want)
{
	check(text_html, "text_html", in, strlen(in), want);
}

static void
plain_is(const char *in, const char *want)
{
	check(text_plain, "text_plain", in, strlen(in), want);
}

static int
setup(void **state)
{
	(void)state;
	feed_init();
	return (0);
}

static void
test_inline_elements_join_neighbours(void **state)
{
	(void)state;
	html_is("wo<em>rd</em>", "word");
	html_is("<a href=\"https://example.org/\">Li</a>vely", "Lively");
	html_is("<span>Bl</span><b>a</b><i>k</i><strong>e</strong>",
	    "Blake");
	html_is("<p>Blake Li<em>ve</em>ly met</p>", "Blake Lively met");
}

static void
test_block_elements_separate_words(void **state)
{
	(void)state;
	html_is("<p>one</p><p>two</p>", "one two");
	html_is("<div>one</div><div>two</div>", "one two");
	html_is("<ul><li>one</li><li>two</li></ul>", "one two");
	html_is("one<br>two", "one two");
	html_is("one<br/>two", "one two");
	html_is("<blockquote>one</blockquote>two", "one two");
	html_is("<table><tr><td>one</td><td>two</td></tr>"
	    "<tr><td>three</td></tr></table>", "one two three");
}

static void
test_headings_h1_to_h6_separate_words(void **state)
{
	(void)state;
	html_is("<h1>one</h1>two", "one two");
	html_is("<h2>one</h2>two", "one two");
	html_is("<h3>one</h3>two", "one two");
	html_is("<h4>one</h4>two", "one two");
	html_is("<h5>one</h5>two", "one two");
	html_is("<h6>one</h6>two", "one two");
}

/* Tag names are case-insensitive in HTML. */
static void
test_uppercase_tags_behave_like_lowercase(void **state)
{
	(void)state;
	html_is("<P>one</P><P>two</P>", "one two");
	html_is("wo<EM>rd</EM>", "word");
	html_is("one<BR>two", "one two");
}

static void
test_script_content_is_dropped(void **state)
{
	(void)state;
	html_is("<p>one</p><script>var Lively = \"<p>x</p>\";</script>"
	    "<p>two</p>", "one two");
	html_is("<script type=\"text/javascript\">alert(1)</script>kept",
	    "kept");
}

static void
test_style_content_is_dropped(void **state)
{
	(void)state;
	html_is("<style>p { color: red; } .Lively {}</style><p>kept</p>",
	    "kept");
	html_is("<p>one</p><style>b{}</style><p>two</p>", "one two");
}

static void
test_comments_are_dropped(void **state)
{
	(void)state;
	html_is("<p>one<!-- Lively --></p><p>two</p>", "one two");
	/* A comment is no element: the words around it join. */
	html_is("wo<!-- x -->rd", "word");
}

static void
test_attributes_never_count(void **state)
{
	(void)state;
	html_is("<a title=\"Lively\">x</a>", "x");
	html_is("<img alt=\"Blake Lively\" src=\"a.png\">x", "x");
	html_is("<p class=\"Lively\" data-name=\"Lively\">x</p>", "x");
	html_is("<img alt=\"Lively\">", "");
}

static void
test_named_entities_are_decoded(void **state)
{
	(void)state;
	html_is("caf&eacute; &amp; cr&egrave;me", "caf\xc3\xa9 & cr\xc3\xa8me");
	html_is("&lt;b&gt;not markup&lt;/b&gt;", "<b>not markup</b>");
	html_is("&quot;quoted&quot;", "\"quoted\"");
	html_is("Lively&rsquo;s", "Lively\xe2\x80\x99s");
}

static void
test_numeric_entities_are_decoded(void **state)
{
	(void)state;
	html_is("caf&#233;", "caf\xc3\xa9");
	html_is("caf&#xE9;", "caf\xc3\xa9");
	html_is("caf&#xe9;", "caf\xc3\xa9");
	html_is("Lively&#8217;s", "Lively\xe2\x80\x99s");
	html_is("&#x1F600;", "\xf0\x9f\x98\x80");
}

/* NBSP is white space: as a character and as &nbsp;, in HTML and text. */
static void
test_nbsp_becomes_a_space(void **state)
{
	(void)state;
	html_is("Blake&nbsp;Lively", "Blake Lively");
	html_is("Blake&#160;Lively", "Blake Lively");
	html_is("<p>Blake\xc2\xa0Lively</p>", "Blake Lively");
	html_is("Blake &nbsp; &nbsp;Lively", "Blake Lively");
	plain_is("Blake\xc2\xa0Lively", "Blake Lively");
	plain_is("\xc2\xa0" "Blake\xc2\xa0\xc2\xa0Lively\xc2\xa0",
	    "Blake Lively");
}

static void
test_whitespace_runs_become_one_space(void **state)
{
	(void)state;
	plain_is("a \t\n\r\f\v b", "a b");
	plain_is("a\xe2\x80\x83" "b", "a b");		/* U+2003 em space */
	plain_is("a\xe3\x80\x80" "b", "a b");		/* U+3000 ideographic */
	/* U+2028 U+2029 */
	plain_is("a\xe2\x80\xa8\xe2\x80\xa9" "b", "a b");
	plain_is("a\xe2\x80\xaf" "b", "a b");		/* U+202F narrow NBSP */
	plain_is("a\xc2\x85" "b", "a b");		/* U+0085 NEL */
	plain_is("a \xe2\x80\x83\t\xe3\x80\x80\n b", "a b");
	html_is("<p>a\n\t  <em>b</em>\xe2\x80\x83\xe2\x80\x83 c</p>", "a b c");
	html_is("a<p> </p>b", "a b");
}

static void
test_ends_are_trimmed(void **state)
{
	(void)state;
	plain_is("   word   ", "word");
	plain_is("\n\t\xe3\x80\x80word\xc2\xa0\n", "word");
	html_is("  <p> word </p>  ", "word");
	html_is("<div><p>word</p></div>", "word");
	html_is("<br><br>word<br>", "word");
	plain_is(" \t\n ", "");
	plain_is("", "");
	html_is("<p> </p>", "");
}

/* Only white space collapses: look-alikes such as U+2011 stay. */
static void
test_non_whitespace_lookalikes_are_kept(void **state)
{
	(void)state;
	plain_is("non\xe2\x80\x91" "breaking", "non\xe2\x80\x91" "breaking");
	html_is("<p>non\xe2\x80\x91" "breaking</p>",
	    "non\xe2\x80\x91" "breaking");
	/* U+200B zero width space is not white space in Unicode */
	plain_is("a\xe2\x80\x8b" "b", "a\xe2\x80\x8b" "b");
	plain_is("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
}

/* Text is UTF-8 from here on: each invalid byte is U+FFFD. */
static void
test_invalid_utf8_in_plain_text_becomes_replacement(void **state)
{
	(void)state;
	plain_is("a\xff" "b", "a\xef\xbf\xbd" "b");
	plain_is("caf\xe9", "caf\xef\xbf\xbd");			/* Latin-1 é */
	plain_is("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");	/* overlong */
	plain_is("\xed\xa0\x80" "x",				/* surrogate */
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "x");
}

/* A truncated sequence at the end is replaced, not dropped or passed on. */
static void
test_truncated_utf8_at_the_end_is_replaced(void **state)
{
	struct buf	b;
	size_t		i;

	(void)state;
	buf_init(&b);
	text_plain(&b, "end\xe2\x80", 5);
	assert_non_null(b.data);
	assert_memory_equal(b.data, "end\xef\xbf\xbd", 6);
	for (i = 3; i < b.len; i += 3)	/* one U+FFFD or more, nothing else */
		assert_memory_equal(b.data + i, "\xef\xbf\xbd", 3);
	assert_int_equal(b.len % 3, 0);
	buf_free(&b);
}

/* The output is valid UTF-8 whatever the input bytes were. */
static void
test_plain_output_is_always_valid_utf8(void **state)
{
	struct buf	b;
	char		in[256];
	size_t		i, n;

	(void)state;
	for (i = 0; i < sizeof in; i++)
		in[i] = (char)(255 - i);
	buf_init(&b);
	text_plain(&b, in, sizeof in);
	assert_non_null(b.data);
	for (i = 0; i < b.len; i += n) {
		n = text_utf8_len(b.data + i, b.len - i);
		if (n == 0)
			fail_msg("invalid UTF-8 at byte %zu", i);
	}
	buf_free(&b);
}

static void
test_whitespace_between_inline_elements_is_kept(void **state)
{
	(void)state;
	html_is("<b>a</b> <b>b</b>", "a b");
	html_is("<em>Blake</em>\n<em>Lively</em>", "Blake Lively");
	html_is("<p><span>a</span> <span>b</span></p>", "a b");
}

static void
test_text_without_markup_passes_through_normalised(void **state)
{
	(void)state;
	html_is("Blake Lively", "Blake Lively");
	html_is("  Blake \n\n Lively\t", "Blake Lively");
	html_is("a > b", "a > b");
	plain_is("Blake Lively", "Blake Lively");
}

/*
 * A '<' that opens no tag is text (HTML5 tokenizer, Python's html.parser):
 * it stays as it was, with no space invented after it, also when it is the
 * first character of the fragment.
 */
static void
test_literal_less_than_is_text(void **state)
{
	(void)state;
	html_is("I <3 Lively", "I <3 Lively");
	html_is("1<2", "1<2");
	html_is("<3 Lively", "<3 Lively");
}

/* Plain text is never parsed: markup in it is literal. */
static void
test_plain_text_keeps_markup_literal(void **state)
{
	(void)state;
	plain_is("<p>a</p> &amp;", "<p>a</p> &amp;");
}

/* The functions append: what was already in the buffer stays as it was. */
static void
test_text_appends_to_the_buffer(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b);
	buf_adds(&b, "Title\n");
	text_html(&b, "  <p>one</p> <p>two</p> ", 24);
	assert_string_equal(b.data, "Title\none two");
	buf_adds(&b, "|");
	text_plain(&b, "  three  ", 9);
	assert_string_equal(b.data, "Title\none two|three");
	assert_int_equal(b.len, strlen("Title\none two|three"));
	buf_free(&b);
}

/* The length argument bounds the input; no NUL is needed. */
static void
test_length_bounds_the_input(void **state)
{
	(void)state;
	check(text_plain, "text_plain", "word and more", 4, "word");
	check(text_html, "text_html", "<b>wo</b>rd more", 11, "word");
}

/*
 * References as HTML5 decodes them in text (and Python's html.unescape,
 * the reference): ';' optional for numbers and for the legacy names, the
 * longest legacy name wins, and impossible code points are U+FFFD.
 */
static void
test_references_decode_as_html5_does(void **state)
{
	(void)state;
	html_is("AT&amp T", "AT& T");
	html_is("&copy2025 Wayfarer", "\xc2\xa9" "2025 Wayfarer");
	html_is("&notit;", "\xc2\xac" "it;");
	html_is("&AMP;&LT;&GT;&QUOT;", "&<>\"");
	html_is("&#65&#x42 c", "AB c");
	html_is("&#0;x&#xD800;y&#x110000;z",
	    "\xef\xbf\xbd" "x\xef\xbf\xbd" "y\xef\xbf\xbd" "z");
	html_is("&#146;s", "\xe2\x80\x99s");	/* Windows-1252 */
	html_is("AT&T & co &#; &#x; &nosuch;", "AT&T & co &#; &#x; &nosuch;");
	html_is("&apos;x&apos", "'x&apos");	/* HTML5 wants its ';' */
}

/* Markup that is not a tag is dropped whole; a '>' in quotes is no end. */
static void
test_declarations_and_odd_markup_are_dropped(void **state)
{
	(void)state;
	html_is("a<!DOCTYPE html>b", "ab");
	html_is("a<?php echo 1; ?>b", "ab");
	html_is("a<![CDATA[x > y]]>b", "ab");
	html_is("a</ b>c", "ac");
	html_is("a</>b", "ab");
	html_is("x<a title=\"a>b\" href='c>d'>y</a>", "xy");
	html_is("x<a title=it's>y</a>", "xy");
}

/* A feed cut mid-tag: the broken tag is dropped, never read as words. */
static void
test_a_cut_off_tag_is_dropped(void **state)
{
	(void)state;
	html_is("Blake <a href=\"https://x.example/Lively", "Blake");
	html_is("Blake <b", "Blake");
	html_is("Blake <!-- Lively", "Blake");
	html_is("Blake <", "Blake <");
}

/* Script and style end only at their own end tag, in any case. */
static void
test_script_ends_only_at_its_end_tag(void **state)
{
	(void)state;
	html_is("<script>if (a</b) x = '</scripts>';</SCRIPT >kept",
	    "kept");
	html_is("<style>p{}</style\n>kept", "kept");
	html_is("<script>never closed <p>Lively</p>", "");
	/* Self-closed, it has no body; "x/>" is an attribute's value. */
	html_is("<script src=\"a.js\"/>Blake <style/>Lively", "Blake Lively");
	html_is("<script src=a.js/>never closed", "");
}

static void
test_is_block_and_is_skipped(void **state)
{
	static const char	*blocks[] = { "p", "div", "li", "br", "h1",
	    "h6", "blockquote", "tr", "td", "th", "table", "ul", "ol", "pre",
	    "hr", "section", "article" };
	static const char	*inlines[] = { "em", "a", "span", "b", "i",
	    "strong", "code", "sup", "img", "abbr", "q" };
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems(blocks); i++) {
		if (!text_is_block(blocks[i]))
			fail_msg("<%s> is not a block element", blocks[i]);
	}
	for (i = 0; i < nitems(inlines); i++) {
		if (text_is_block(inlines[i]))
			fail_msg("<%s> is a block element", inlines[i]);
	}
	assert_true(text_is_skipped("script"));
	assert_true(text_is_skipped("style"));
	assert_false(text_is_skipped("span"));
	assert_false(text_is_skipped("p"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_elements_join_neighbours),
		cmocka_unit_test(test_block_elements_separate_words),
		cmocka_unit_test(test_headings_h1_to_h6_separate_words),
		cmocka_unit_test(test_uppercase_tags_behave_like_lowercase),
		cmocka_unit_test(test_script_content_is_dropped),
		cmocka_unit_test(test_style_content_is_dropped),
		cmocka_unit_test(test_comments_are_dropped),
		cmocka_unit_test(test_attributes_never_count),
		cmocka_unit_test(test_named_entities_are_decoded),
		cmocka_unit_test(test_numeric_entities_are_decoded),
		cmocka_unit_test(test_nbsp_becomes_a_space),
		cmocka_unit_test(test_whitespace_runs_become_one_space),
		cmocka_unit_test(test_ends_are_trimmed),
		cmocka_unit_test(test_non_whitespace_lookalikes_are_kept),
		cmocka_unit_test(
		    test_invalid_utf8_in_plain_text_becomes_replacement),
		cmocka_unit_test(test_truncated_utf8_at_the_end_is_replaced),
		cmocka_unit_test(test_plain_output_is_always_valid_utf8),
		cmocka_unit_test(test_whitespace_between_inline_elements_is_kept),
		cmocka_unit_test(
		    test_text_without_markup_passes_through_normalised),
		cmocka_unit_test(test_literal_less_than_is_text),
		cmocka_unit_test(test_plain_text_keeps_markup_literal),
		cmocka_unit_test(test_text_appends_to_the_buffer),
		cmocka_unit_test(test_length_bounds_the_input),
		cmocka_unit_test(test_is_block_and_is_skipped),
		cmocka_unit_test(test_references_decode_as_html5_does),
		cmocka_unit_test(test_declarations_and_odd_markup_are_dropped),
		cmocka_unit_test(test_a_cut_off_tag_is_dropped),
		cmocka_unit_test(test_script_ends_only_at_its_end_tag),
	};

	return (cmocka_run_group_tests_name("text", tests, setup, NULL));
}
