/*
 * Item text is kept zstd-compressed.  Compression happens where the text
 * is made (on the worker threads), so the loop's thread only binds bytes;
 * each thread owns its own pack (zstd contexts are not shareable).
 */
#include "config.h"

#include <stdlib.h>

#include <zstd.h>

#include "mentiond.h"

/* Fast, and item text still shrinks to about a third. */
#define PACK_LEVEL	1

struct pack {
	ZSTD_CCtx	*cc;
	ZSTD_DCtx	*dc;
};

struct pack *
pack_new(void)
{
	return (xcalloc(1, sizeof(struct pack)));
}

void
pack_free(struct pack *p)
{
	if (p == NULL)
		return;
	ZSTD_freeCCtx(p->cc);
	ZSTD_freeDCtx(p->dc);
	free(p);
}

/* Compress len bytes of text into out (replacing its contents). */
void
pack_compress(struct pack *p, const char *text, size_t len, struct buf *out)
{
	size_t	bound, n;

	if (p->cc == NULL && (p->cc = ZSTD_createCCtx()) == NULL)
		fatalx("ZSTD_createCCtx failed");
	bound = ZSTD_compressBound(len);
	buf_reset(out);
	buf_grow(out, bound);
	n = ZSTD_compressCCtx(p->cc, out->data, bound, text, len, PACK_LEVEL);
	if (ZSTD_isError(n))
		fatalx("ZSTD_compressCCtx: %s", ZSTD_getErrorName(n));
	out->len = n;
}

/* Decompress into out; -1 if the bytes are not a zstd frame we made. */
int
pack_decompress(struct pack *p, const void *z, size_t zlen, struct buf *out)
{
	unsigned long long	size;
	size_t			n;

	size = ZSTD_getFrameContentSize(z, zlen);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
	    size > SIZE_MAX / 2)
		return (-1);
	if (p->dc == NULL && (p->dc = ZSTD_createDCtx()) == NULL)
		fatalx("ZSTD_createDCtx failed");
	buf_reset(out);
	buf_grow(out, (size_t)size);
	n = ZSTD_decompressDCtx(p->dc, out->data, (size_t)size + 1, z, zlen);
	if (ZSTD_isError(n) || n != size)
		return (-1);
	out->len = n;
	out->data[n] = '\0';
	return (0);
}
