/* cell.c: the day-row codec rollups are stored in. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mentiond.h"

static size_t
decode(const struct buf *b, struct cell **c)
{
	size_t	n = 0, cap = 0;

	*c = NULL;
	assert_int_equal(cell_decode(b->data, b->len, c, &n, &cap), 0);
	return (n);
}

static void
test_normalise_sorts_and_sums_equal_keys(void **state)
{
	struct cell	c[] = { { 5, 1, 2 }, { 1, 1, 0 }, { 5, 2, 3 } };
	size_t		n;

	(void)state;
	n = cell_normalise(c, 3);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].key, 1);
	assert_int_equal(c[1].key, 5);
	assert_int_equal(c[1].v1, 3);
	assert_int_equal(c[1].v2, 5);
}

static void
test_encode_decode_round_trip_with_large_and_negative_values(void **state)
{
	struct cell	 in[] = { { 0, 1, 0 }, { 23, -7, 300 },
			    { 199 * 32 + 5, 1LL << 40, -(1LL << 40) } };
	struct cell	*out;
	struct buf	 b;
	size_t		 n;

	(void)state;
	buf_init(&b);
	cell_encode(in, 3, &b);
	/* zigzag varints: key 0 -> 00, v1 1 -> 02, v2 0 -> 00 */
	assert_memory_equal(b.data, "\x00\x02\x00", 3);
	n = decode(&b, &out);
	assert_int_equal(n, 3);
	assert_int_equal(out[1].v1, -7);
	assert_int_equal(out[1].v2, 300);
	assert_int_equal(out[2].key, 199 * 32 + 5);
	assert_int_equal(out[2].v1, 1LL << 40);
	assert_int_equal(out[2].v2, -(1LL << 40));
	free(out);
	buf_free(&b);
}

/* Merging adds key by key; a subtraction to zero drops the cell. */
static void
test_merge_sums_and_drops_zero_cells(void **state)
{
	struct cell	 a[] = { { 1, 2, 5 }, { 3, 1, 1 } };
	struct cell	 d[] = { { 1, -2, -5 }, { 2, 1, 4 }, { 3, 1, 0 } };
	struct cell	*out;
	struct buf	 ba, bd, m;
	size_t		 n;

	(void)state;
	buf_init(&ba);
	buf_init(&bd);
	buf_init(&m);
	cell_encode(a, 2, &ba);
	cell_encode(d, 3, &bd);
	assert_int_equal(cell_merge(ba.data, ba.len, bd.data, bd.len, &m), 0);
	n = decode(&m, &out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].key, 2);
	assert_int_equal(out[0].v2, 4);
	assert_int_equal(out[1].key, 3);
	assert_int_equal(out[1].v1, 2);
	assert_int_equal(out[1].v2, 1);
	free(out);
	buf_free(&ba);
	buf_free(&bd);
	buf_free(&m);
}

static void
test_merge_with_an_empty_blob_is_the_other(void **state)
{
	struct cell	 a[] = { { 7, 1, 1 } };
	struct buf	 ba, m;

	(void)state;
	buf_init(&ba);
	buf_init(&m);
	cell_encode(a, 1, &ba);
	assert_int_equal(cell_merge(NULL, 0, ba.data, ba.len, &m), 0);
	assert_int_equal(m.len, ba.len);
	assert_memory_equal(m.data, ba.data, ba.len);
	buf_free(&ba);
	buf_free(&m);
}

static void
test_truncated_blobs_are_refused(void **state)
{
	struct cell	*c = NULL;
	size_t		 n = 0, cap = 0;

	(void)state;
	assert_int_equal(cell_decode("\x02\x02", 2, &c, &n, &cap), -1);
	assert_int_equal(cell_decode("\x80", 1, &c, &n, &cap), -1);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise_sorts_and_sums_equal_keys),
		cmocka_unit_test(
		  test_encode_decode_round_trip_with_large_and_negative_values),
		cmocka_unit_test(test_merge_sums_and_drops_zero_cells),
		cmocka_unit_test(test_merge_with_an_empty_blob_is_the_other),
		cmocka_unit_test(test_truncated_blobs_are_refused),
	};

	return (cmocka_run_group_tests_name("cell", tests, NULL, NULL));
}
