/* JSON strings (RFC 8259), for mentionctl parse and friends. */
#include "config.h"

#include "mentiond.h"

void
json_string(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;

	buf_addc(b, '"');
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		default:
			if (*p < 0x20) {
				buf_add(b, "\\u00", 4);
				buf_addc(b, hex[*p >> 4]);
				buf_addc(b, hex[*p & 0xf]);
			} else
				buf_addc(b, (char)*p);
			break;
		}
	}
	buf_addc(b, '"');
}
