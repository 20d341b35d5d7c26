/*
 * Rollup cells: a day's hourly counts for one row (a source, a rule, a
 * pair of rules) as a sorted list of (key, v1, v2) triples, key being the
 * hour (0-23) possibly combined with a rule id (rule * 32 + hour).  Stored
 * as zigzag varints, so one small blob holds a day and a year of one
 * rule is 365 rows; merging adds values key by key and drops zero cells,
 * which also lets a re-score subtract.  Pure functions, no SQL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mentiond.h"

/* Write a zigzag varint at p (room for 10 bytes); returns its length. */
static size_t
cell_varint(u_char *p, int64_t v)
{
	uint64_t	u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t		n = 0;

	while (u >= 0x80) {
		p[n++] = (u_char)(u | 0x80);
		u >>= 7;
	}
	p[n++] = (u_char)u;
	return (n);
}

static int
cell_read(const u_char **pp, const u_char *end, int64_t *v)
{
	const u_char	*p = *pp;
	uint64_t	 u = 0;
	int		 shift;

	for (shift = 0; ; shift += 7) {
		if (p >= end || shift > 63)
			return (-1);
		u |= (uint64_t)(*p & 0x7f) << shift;
		if ((*p++ & 0x80) == 0)
			break;
	}
	*v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	*pp = p;
	return (0);
}

static int
cell_cmp(const void *a, const void *b)
{
	const struct cell	*x = a, *y = b;

	return (x->key < y->key ? -1 : x->key > y->key);
}

/* Drop cells that came to zero (a re-score can subtract). */
static size_t
cell_compact(struct cell *c, size_t n)
{
	size_t	i, j;

	for (i = 0, j = 0; i < n; i++) {
		if (c[i].v1 != 0 || c[i].v2 != 0)
			c[j++] = c[i];
	}
	return (j);
}

/* Sort by key and sum equal keys; drop cells that came to zero. */
size_t
cell_normalise(struct cell *c, size_t n)
{
	size_t	i, j;

	if (n > 1)
		qsort(c, n, sizeof *c, cell_cmp);
	for (i = 0, j = 0; i < n; i++) {
		if (j > 0 && c[j - 1].key == c[i].key) {
			c[j - 1].v1 += c[i].v1;
			c[j - 1].v2 += c[i].v2;
		} else
			c[j++] = c[i];
	}
	return (cell_compact(c, j));
}

/* Encode n normalised cells (replacing out's contents). */
void
cell_encode(const struct cell *c, size_t n, struct buf *out)
{
	u_char	*p;
	size_t	 i;

	buf_reset(out);
	buf_grow(out, n * 30);
	p = (u_char *)out->data;
	for (i = 0; i < n; i++) {
		p += cell_varint(p, c[i].key);
		p += cell_varint(p, c[i].v1);
		p += cell_varint(p, c[i].v2);
	}
	out->len = (char *)p - out->data;
	out->data[out->len] = '\0';
}

/*
 * Decode a blob, appending to *c (*n cells, room for *cap; grown as
 * needed).  -1 if the blob is malformed; what was decoded stays.
 */
int
cell_decode(const void *blob, size_t len, struct cell **c, size_t *n,
    size_t *cap)
{
	const u_char	*p = blob, *end = p + len;
	struct cell	 x;

	while (p < end) {
		if (cell_read(&p, end, &x.key) != 0 ||
		    cell_read(&p, end, &x.v1) != 0 ||
		    cell_read(&p, end, &x.v2) != 0)
			return (-1);
		if (*n == *cap) {
			*cap = *cap == 0 ? 64 : *cap * 2;
			*c = xreallocarray(*c, *cap, sizeof **c);
		}
		(*c)[(*n)++] = x;
	}
	return (0);
}

/*
 * Merge two blobs into out: the sum, key by key.  Both are sorted (we
 * wrote them), so one pass does it; a stored row grows by a delta in
 * O(n + m).
 */
int
cell_merge(const void *a, size_t alen, const void *b, size_t blen,
    struct buf *out)
{
	struct cell	*c = NULL, *m;
	size_t		 n = 0, na, cap = 0, i, j, k;
	int		 rc = 0, sorted = 1;

	if (cell_decode(a, alen, &c, &n, &cap) != 0)
		rc = -1;
	na = n;
	if (cell_decode(b, blen, &c, &n, &cap) != 0)
		rc = -1;
	m = xreallocarray(NULL, n + 1, sizeof *m);
	for (i = 0, j = na, k = 0; i < na || j < n; ) {
		if (j == n || (i < na && c[i].key < c[j].key))
			m[k++] = c[i++];
		else if (i == na || c[j].key < c[i].key)
			m[k++] = c[j++];
		else {
			m[k] = c[i++];
			m[k].v1 += c[j].v1;
			m[k++].v2 += c[j++].v2;
		}
		if (k > 1 && m[k - 1].key <= m[k - 2].key) {
			/* not sorted after all: fall back to a full sort */
			memcpy(m, c, n * sizeof *c);
			k = n;
			sorted = 0;
			break;
		}
	}
	k = sorted ? cell_compact(m, k) : cell_normalise(m, k);
	cell_encode(m, k, out);
	free(m);
	free(c);
	return (rc);
}
