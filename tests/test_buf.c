/*
 * buf.c: growable byte buffers that are always NUL-terminated.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mentiond.h"

/* The invariants every operation keeps. */
static void
check_invariants(const struct buf *b)
{
	assert_non_null(b->data);
	assert_true(b->len < b->size);
	assert_int_equal(b->data[b->len], '\0');
}

static void
test_init_is_empty(void **state)
{
	struct buf	b;

	(void)state;
	memset(&b, 0xa5, sizeof b);
	buf_init(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.size, 0);
	buf_free(&b);
}

static void
test_add_appends_bytes_and_terminates(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b);
	buf_add(&b, "abc", 3);
	check_invariants(&b);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	buf_add(&b, "defgh", 2);
	check_invariants(&b);
	assert_string_equal(b.data, "abcde");
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

/* Adding nothing still leaves a valid empty C string. */
static void
test_add_of_nothing_gives_an_empty_string(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b);
	buf_add(&b, "", 0);
	check_invariants(&b);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

/* Embedded NULs are data: len counts them, the terminator follows. */
static void
test_add_keeps_embedded_nul_bytes(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b);
	buf_add(&b, "a\0b", 3);
	check_invariants(&b);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b\0", 4);
	buf_free(&b);
}

static void
test_addc_and_adds(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b);
	buf_addc(&b, 'x');
	check_invariants(&b);
	assert_string_equal(b.data, "x");
	buf_adds(&b, "yz");
	buf_addc(&b, '!');
	check_invariants(&b);
	assert_string_equal(b.data, "xyz!");
	assert_int_equal(b.len, 4);
	buf_free(&b);
}

static void
test_printf_formats_and_appends(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b);
	buf_adds(&b, "n=");
	buf_printf(&b, "%d,%s,%05.1f", -42, "s", 2.5);
	check_invariants(&b);
	assert_string_equal(b.data, "n=-42,s,002.5");
	assert_int_equal(b.len, strlen("n=-42,s,002.5"));
	buf_printf(&b, "%s", "");
	check_invariants(&b);
	assert_int_equal(b.len, strlen("n=-42,s,002.5"));
	buf_free(&b);
}

/* A formatted string far larger than any initial allocation. */
static void
test_printf_grows_for_long_output(void **state)
{
	struct buf	 b;
	char		*big;
	size_t		 i, n = 100000;

	(void)state;
	big = malloc(n + 1);
	assert_non_null(big);
	for (i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	buf_init(&b);
	buf_addc(&b, '<');
	buf_printf(&b, "%s>%zu", big, n);
	check_invariants(&b);
	assert_int_equal(b.len, 1 + n + 1 + 6);
	assert_int_equal(b.data[0], '<');
	assert_memory_equal(b.data + 1, big, n);
	assert_string_equal(b.data + 1 + n, ">100000");
	buf_free(&b);
	free(big);
}

/* Many small appends and a few large ones: contents survive each growth. */
static void
test_growth_across_large_appends_keeps_contents(void **state)
{
	struct buf	 b;
	char		*chunk;
	size_t		 i, j, len = 0, n = 3 * 1024 * 1024 + 7;

	(void)state;
	chunk = malloc(n);
	assert_non_null(chunk);
	for (i = 0; i < n; i++)
		chunk[i] = (char)(i % 251 + 1);
	buf_init(&b);
	for (i = 0; i < 5000; i++) {
		buf_addc(&b, (char)(i % 251 + 1));
		len++;
		if (i % 1000 == 999) {
			buf_add(&b, chunk, n);
			len += n;
		}
		assert_int_equal(b.len, len);
		assert_int_equal(b.data[b.len], '\0');
	}
	check_invariants(&b);
	/* re-derive the expected bytes and compare them all */
	for (i = 0, j = 0; i < 5000; i++) {
		if (b.data[j++] != (char)(i % 251 + 1))
			fail_msg("byte %zu changed", j - 1);
		if (i % 1000 == 999) {
			if (memcmp(b.data + j, chunk, n) != 0)
				fail_msg("chunk at %zu changed", j);
			j += n;
		}
	}
	assert_int_equal(j, b.len);
	buf_free(&b);
	free(chunk);
}

/* grow reserves room: appends within it do not move the data. */
static void
test_grow_reserves_room(void **state)
{
	struct buf	 b;
	char		*before;
	size_t		 i;

	(void)state;
	buf_init(&b);
	buf_grow(&b, 10000);
	assert_true(b.size >= 10001);
	before = b.data;
	for (i = 0; i < 10000; i++)
		buf_addc(&b, 'x');
	assert_ptr_equal(b.data, before);
	check_invariants(&b);
	assert_int_equal(b.len, 10000);
	buf_free(&b);
}

static void
test_reset_empties_but_keeps_storage(void **state)
{
	struct buf	 b;
	size_t		 size;

	(void)state;
	buf_init(&b);
	buf_reset(&b);		/* on a never-used buffer: harmless */
	assert_int_equal(b.len, 0);
	buf_adds(&b, "some text");
	size = b.size;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.size, size);
	check_invariants(&b);
	assert_string_equal(b.data, "");
	buf_adds(&b, "new");
	assert_string_equal(b.data, "new");
	buf_free(&b);
}

/* take hands over the string and leaves the buffer empty and reusable. */
static void
test_take_hands_over_the_string(void **state)
{
	struct buf	 b;
	char		*s;

	(void)state;
	buf_init(&b);
	buf_adds(&b, "hello");
	s = buf_take(&b);
	assert_string_equal(s, "hello");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.size, 0);
	buf_adds(&b, "again");
	assert_string_equal(b.data, "again");
	assert_true(b.data != s);
	assert_string_equal(s, "hello");
	free(s);
	buf_free(&b);
}

static void
test_take_of_empty_buffer_is_empty_string(void **state)
{
	struct buf	 b;
	char		*s;

	(void)state;
	buf_init(&b);
	s = buf_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty),
		cmocka_unit_test(test_add_appends_bytes_and_terminates),
		cmocka_unit_test(test_add_of_nothing_gives_an_empty_string),
		cmocka_unit_test(test_add_keeps_embedded_nul_bytes),
		cmocka_unit_test(test_addc_and_adds),
		cmocka_unit_test(test_printf_formats_and_appends),
		cmocka_unit_test(test_printf_grows_for_long_output),
		cmocka_unit_test(test_growth_across_large_appends_keeps_contents),
		cmocka_unit_test(test_grow_reserves_room),
		cmocka_unit_test(test_reset_empties_but_keeps_storage),
		cmocka_unit_test(test_take_hands_over_the_string),
		cmocka_unit_test(test_take_of_empty_buffer_is_empty_string),
	};

	return (cmocka_run_group_tests_name("buf", tests, NULL, NULL));
}
