/*
 * CSV cells (SPEC "Trend CSV"): RFC 4180 quoting, and a leading quote on
 * any text that a spreadsheet would otherwise run as a formula.
 */
#include "config.h"

#include <string.h>

#include "mentiond.h"

/* Append one cell's text, quoted and guarded as needed. */
void
csv_quote(struct buf *b, const char *s)
{
	int	guard, quote;

	guard = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r';
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		buf_addc(b, '"');
	if (guard)
		buf_addc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	if (quote)
		buf_addc(b, '"');
}

void
csv_cell(FILE *fp, const char *s)
{
	struct buf	b;

	buf_init(&b);
	csv_quote(&b, s);
	if (b.len > 0)
		fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
}

void
csv_int(FILE *fp, int64_t v)
{
	fprintf(fp, "%lld", (long long)v);
}

void
csv_sep(FILE *fp)
{
	putc(',', fp);
}

void
csv_end(FILE *fp)
{
	putc('\n', fp);
}
