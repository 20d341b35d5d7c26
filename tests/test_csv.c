/*
 * csv.c: RFC 4180 cells and the spreadsheet formula guard (SPEC "Trend
 * CSV").
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mentiond.h"

/* csv_quote into a fresh buffer, and csv_cell into a memory stream. */
static void
cell_is(const char *in, const char *want)
{
	struct buf	 b;
	FILE		*fp;
	char		*out = NULL;
	size_t		 len = 0;

	buf_init(&b);
	csv_quote(&b, in);
	if (b.data == NULL)
		buf_adds(&b, "");
	if (strcmp(b.data, want) != 0)
		fail_msg("csv_quote(\"%s\"): got [%s], want [%s]", in, b.data,
		    want);
	buf_free(&b);

	if ((fp = open_memstream(&out, &len)) == NULL)
		fail_msg("open_memstream failed");
	csv_cell(fp, in);
	fclose(fp);
	if (len != strlen(want) || memcmp(out, want, len) != 0)
		fail_msg("csv_cell(\"%s\"): got [%.*s], want [%s]", in,
		    (int)len, out, want);
	free(out);
}

static void
test_plain_cells_are_not_quoted(void **state)
{
	(void)state;
	cell_is("lively", "lively");
	cell_is("Blake Lively", "Blake Lively");
	cell_is("2025-11-13T00:00:00Z", "2025-11-13T00:00:00Z");
	cell_is("caf\xc3\xa9", "caf\xc3\xa9");
	cell_is("", "");
}

static void
test_comma_is_quoted(void **state)
{
	(void)state;
	cell_is("a,b", "\"a,b\"");
	cell_is(",", "\",\"");
}

/* A double quote is doubled inside a quoted cell. */
static void
test_double_quote_is_doubled_and_quoted(void **state)
{
	(void)state;
	cell_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	cell_is("\"", "\"\"\"\"");
}

static void
test_line_breaks_are_quoted(void **state)
{
	(void)state;
	cell_is("a\nb", "\"a\nb\"");
	cell_is("a\rb", "\"a\rb\"");
	cell_is("a\r\nb", "\"a\r\nb\"");
}

static void
test_formula_starts_get_a_leading_quote(void **state)
{
	(void)state;
	cell_is("=1+1", "'=1+1");
	cell_is("+1", "'+1");
	cell_is("-1", "'-1");
	cell_is("@SUM(A1)", "'@SUM(A1)");
	cell_is("\tx", "'\tx");
	cell_is("=", "'=");
}

/* The guard goes inside the quotes when the cell needs quoting too. */
static void
test_guarded_cells_are_quoted_when_needed(void **state)
{
	(void)state;
	cell_is("\rx", "\"'\rx\"");
	cell_is("=SUM(A1,B1)", "\"'=SUM(A1,B1)\"");
	cell_is("=\"x\"", "\"'=\"\"x\"\"\"");
	cell_is("-a\nb", "\"'-a\nb\"");
}

/* Only the first character decides: letters, digits, '=' inside are safe. */
static void
test_cells_starting_with_a_letter_or_digit_are_untouched(void **state)
{
	(void)state;
	cell_is("1+1", "1+1");
	cell_is("a=b", "a=b");
	cell_is("x-1", "x-1");
	cell_is("9@x", "9@x");
	cell_is("'quoted", "'quoted");
}

/* A row: text cells guarded, numbers written as numbers, LF at the end. */
static void
test_row_of_cells_and_integers(void **state)
{
	FILE	*fp;
	char	*out = NULL;
	size_t	 len = 0;
	static const char	want[] =
	    "2025-11-13T00:00:00Z,\"a,b\",'-x,-5,0,9007199254740993\n";

	(void)state;
	if ((fp = open_memstream(&out, &len)) == NULL)
		fail_msg("open_memstream failed");
	csv_cell(fp, "2025-11-13T00:00:00Z");
	csv_sep(fp);
	csv_cell(fp, "a,b");
	csv_sep(fp);
	csv_cell(fp, "-x");
	csv_sep(fp);
	csv_int(fp, -5);
	csv_sep(fp);
	csv_int(fp, 0);
	csv_sep(fp);
	csv_int(fp, INT64_C(9007199254740993));
	csv_end(fp);
	fclose(fp);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(out, want, len);
	free(out);
}

/* csv_quote appends: what the buffer held stays. */
static void
test_quote_appends_to_the_buffer(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b);
	buf_adds(&b, "x,");
	csv_quote(&b, "a\"b");
	buf_addc(&b, ',');
	csv_quote(&b, "=c");
	assert_string_equal(b.data, "x,\"a\"\"b\",'=c");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_cells_are_not_quoted),
		cmocka_unit_test(test_comma_is_quoted),
		cmocka_unit_test(test_double_quote_is_doubled_and_quoted),
		cmocka_unit_test(test_line_breaks_are_quoted),
		cmocka_unit_test(test_formula_starts_get_a_leading_quote),
		cmocka_unit_test(test_guarded_cells_are_quoted_when_needed),
		cmocka_unit_test(
		    test_cells_starting_with_a_letter_or_digit_are_untouched),
		cmocka_unit_test(test_row_of_cells_and_integers),
		cmocka_unit_test(test_quote_appends_to_the_buffer),
	};

	return (cmocka_run_group_tests_name("csv", tests, NULL, NULL));
}
