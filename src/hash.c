/*
 * A fast 64-bit hash of a response body: an unchanged body (a server that
 * ignores or lies about validators) is recognised without parsing it.
 * Eight bytes per step with a multiply-xorshift mix; not cryptographic, and
 * it need not be: a collision only costs one skipped poll of that source.
 */
#include "config.h"

#include <string.h>

#include "mentiond.h"

#define HASH_K1	0x9e3779b97f4a7c15ULL
#define HASH_K2	0xbf58476d1ce4e5b9ULL
#define HASH_K3	0x94d049bb133111ebULL

static uint64_t
hash_mix(uint64_t h)
{
	h ^= h >> 30;
	h *= HASH_K2;
	h ^= h >> 27;
	h *= HASH_K3;
	h ^= h >> 31;
	return (h);
}

uint64_t
hash64(const void *data, size_t len)
{
	const unsigned char	*p = data;
	uint64_t		 h = HASH_K1 ^ (len * HASH_K2), w;
	size_t			 i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ hash_mix(w + HASH_K1)) * HASH_K3;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p + i, len - i);
	h ^= hash_mix(w + len);
	return (hash_mix(h));
}

/* The hash as 16 hex digits, as stored. */
void
hash64_hex(const void *data, size_t len, char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)hash64(data, len));
}
