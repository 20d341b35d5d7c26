/*
 * IANA time zones for local trend buckets, read from the system's TZif
 * files (RFC 8536) and evaluated here: no localtime(3), no TZ variable, as
 * the daemon is threaded and setenv(3) is not safe there.  Every time in
 * and out is UTC epoch seconds; a "wall" time is the local clock written
 * as if it were UTC, so date.c's calendar arithmetic applies to it.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mentiond.h"

#define TZ_MAXFILE	(1024 * 1024)	/* real files are a few KiB */
#define TZ_MAXNAME	255
#define TZ_DEFDIR	"/usr/share/zoneinfo"
#define TZ_MAXOFF	93600		/* RFC 8536 bounds offsets by 26h */

/* A day in a POSIX TZ rule (Jn, n or Mm.w.d) and its local time of day. */
struct tz_when {
	char		 kind;		/* 'J', 'N' or 'M' */
	int		 m, w, d;	/* Jn and n keep n in d */
	int32_t		 time;
};

struct tz {
	int		 utc;
	size_t		 ntrans;
	int64_t		*trans;		/* ascending */
	int32_t		*offs;		/* offset from each transition on */
	int32_t		 off0;		/* offset before the first */
	int		 rule;		/* a footer TZ string after the last */
	int		 hasdst;
	int32_t		 std, dst;	/* seconds east of UTC */
	struct tz_when	 start, end;
};

/* TZif counts and times are big-endian. */
static uint32_t
tz_be32(const u_char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

/* Up to three digits at s into *out, which must lie in [lo, hi]. */
static const char *
tz_num(const char *s, int lo, int hi, int *out)
{
	int	n, v = 0;

	for (n = 0; n < 3 && isdigit((u_char)*s); n++)
		v = v * 10 + (*s++ - '0');
	if (n == 0 || isdigit((u_char)*s) || v < lo || v > hi)
		return (NULL);
	*out = v;
	return (s);
}

/* A TZ string name: three or more letters, or quoted as in <+0530>. */
static const char *
tz_posix_name(const char *s)
{
	const char	*p = s;

	if (*p == '<') {
		for (p++; isalnum((u_char)*p) || *p == '+' || *p == '-'; p++)
			;
		return (*p == '>' && p - s >= 4 ? p + 1 : NULL);
	}
	while (isalpha((u_char)*p))
		p++;
	return (p - s >= 3 ? p : NULL);
}

/* [+-]hh[:mm[:ss]] with hh at most max (RFC 8536 allows 167 in rules). */
static const char *
tz_posix_time(const char *s, int max, int32_t *out)
{
	int	sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if ((s = tz_num(s, 0, max, &h)) == NULL)
		return (NULL);
	if (*s == ':' && (s = tz_num(s + 1, 0, 59, &m)) != NULL && *s == ':')
		s = tz_num(s + 1, 0, 59, &sec);
	if (s != NULL)
		*out = sign * (h * 3600 + m * 60 + sec);
	return (s);
}

/* One rule date: "Jn", "n" or "Mm.w.d", then an optional "/time". */
static const char *
tz_posix_when(const char *s, struct tz_when *w)
{
	w->time = 7200;
	if (*s == 'J') {
		w->kind = 'J';
		s = tz_num(s + 1, 1, 365, &w->d);
	} else if (*s == 'M') {
		w->kind = 'M';
		if ((s = tz_num(s + 1, 1, 12, &w->m)) == NULL || *s++ != '.' ||
		    (s = tz_num(s, 1, 5, &w->w)) == NULL || *s++ != '.')
			return (NULL);
		s = tz_num(s, 0, 6, &w->d);
	} else {
		w->kind = 'N';
		s = tz_num(s, 0, 365, &w->d);
	}
	if (s != NULL && *s == '/')
		s = tz_posix_time(s + 1, 167, &w->time);
	return (s);
}

/* A POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0"; offsets are west. */
static int
tz_posix(struct tz *tz, const char *s)
{
	int32_t	off;

	if ((s = tz_posix_name(s)) == NULL ||
	    (s = tz_posix_time(s, 24, &off)) == NULL)
		return (-1);
	tz->rule = 1;
	tz->std = -off;
	if (*s == '\0')
		return (0);
	if ((s = tz_posix_name(s)) == NULL)
		return (-1);
	tz->hasdst = 1;
	tz->dst = tz->std + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = tz_posix_time(s, 24, &off)) == NULL)
			return (-1);
		tz->dst = -off;
	}
	if (*s == '\0')		/* no rule: POSIX leaves it open; tzcode's */
		s = ",M3.2.0,M11.1.0";
	if (*s++ != ',' || (s = tz_posix_when(s, &tz->start)) == NULL ||
	    *s++ != ',' || (s = tz_posix_when(s, &tz->end)) == NULL)
		return (-1);
	return (*s == '\0' ? 0 : -1);
}

/* The day number (since 1970-01-01) that a rule names in year y. */
static int64_t
tz_rule_day(const struct tz_when *w, int64_t y)
{
	int64_t	jan1 = date_from_civil(y, 1, 1), first, next, day;
	int	leap, wday;

	switch (w->kind) {
	case 'J':	/* 1-365, February 29 never counted */
		leap = date_from_civil(y, 3, 1) - date_from_civil(y, 2, 1) == 29;
		return (jan1 + w->d - 1 + (leap && w->d >= 60));
	case 'N':
		return (jan1 + w->d);
	}
	first = date_from_civil(y, w->m, 1);
	next = w->m == 12 ? date_from_civil(y + 1, 1, 1) :
	    date_from_civil(y, w->m + 1, 1);
	wday = (int)(((first + 4) % 7 + 7) % 7);	/* 1970-01-01: Thursday */
	day = first + (w->d - wday + 7) % 7 + (w->w - 1) * 7;
	while (day >= next)				/* week 5 is the last */
		day -= 7;
	return (day);
}

/*
 * The footer rule at t: the offset, and the rule's changes either side.
 * Changes of years y-2..y+2 bracket t even with 167-hour rule times.
 */
static int32_t
tz_rule_eval(const struct tz *tz, int64_t t, int64_t *prev, int64_t *next)
{
	int64_t	ev[10], y, et;
	int	dst[10], n = 0, i, j, m, d, ed;
	int32_t	off = tz->std;

	*prev = INT64_MIN;
	*next = INT64_MAX;
	if (!tz->hasdst)
		return (tz->std);
	date_to_civil(date_bucket(t, BUCKET_DAY) / 86400, &y, &m, &d);
	for (y -= 2; n < 10; y++) {
		/* The start is in standard time, the end in DST. */
		ev[n] = tz_rule_day(&tz->start, y) * 86400 + tz->start.time -
		    tz->std;
		dst[n++] = 1;
		ev[n] = tz_rule_day(&tz->end, y) * 86400 + tz->end.time -
		    tz->dst;
		dst[n++] = 0;
	}
	/* On a tie the end goes first, so "0/0,J365/25" is DST all year. */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && (ev[j - 1] > ev[j] ||
		    (ev[j - 1] == ev[j] && dst[j - 1] && !dst[j])); j--) {
			et = ev[j], ev[j] = ev[j - 1], ev[j - 1] = et;
			ed = dst[j], dst[j] = dst[j - 1], dst[j - 1] = ed;
		}
	}
	for (i = 0; i < n && ev[i] <= t; i++) {
		*prev = ev[i];
		off = dst[i] ? tz->dst : tz->std;
	}
	if (i < n)
		*next = ev[i];
	return (off);
}

/* The offset at t, the last change at or before t and the first after. */
static int32_t
tz_lookup(const struct tz *tz, int64_t t, int64_t *prev, int64_t *next)
{
	size_t	lo = 0, hi = tz->ntrans, mid;
	int32_t	off;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == tz->ntrans && tz->rule) {
		off = tz_rule_eval(tz, t, prev, next);
		if (lo > 0 && *prev < tz->trans[lo - 1])
			*prev = tz->trans[lo - 1];
		return (off);
	}
	*prev = lo > 0 ? tz->trans[lo - 1] : INT64_MIN;
	*next = lo < tz->ntrans ? tz->trans[lo] : INT64_MAX;
	return (lo > 0 ? tz->offs[lo - 1] : tz->off0);
}

int
tz_offset(const struct tz *tz, int64_t t)
{
	int64_t	prev, next;

	return (tz_lookup(tz, t, &prev, &next));
}

/* Is change c an hour boundary: does the clock land on one or jump one? */
static int
tz_hour_at(const struct tz *tz, int64_t c)
{
	int64_t	wall = c + tz_offset(tz, c), start;

	start = date_bucket(wall, BUCKET_HOUR);
	return (start == wall || start > c - 1 + tz_offset(tz, c - 1));
}

/* The first instant at which the wall clock reads wall or later. */
static int64_t
tz_first(const struct tz *tz, int64_t wall)
{
	int64_t	t = wall - TZ_MAXOFF, prev, next;
	int32_t	off;

	for (;;) {
		off = tz_lookup(tz, t, &prev, &next);
		if (t + off >= wall)		/* jumped to or over it */
			return (t);
		if (wall - off < next || next == INT64_MAX)
			return (wall - off);
		t = next;
	}
}

/*
 * The furthest the wall clock has got by t.  Days, weeks and months go by
 * this, so a clock set back across midnight does not restart the day: a
 * DST day has 23 or 25 hours, not one hour and then 24.
 */
static int64_t
tz_wallmax(const struct tz *tz, int64_t t)
{
	int64_t	prev, next, max, from = t - 2 * TZ_MAXOFF;
	int32_t	off;

	off = tz_lookup(tz, t, &prev, &next);
	for (max = t + off; prev != INT64_MIN && prev > from; ) {
		off = tz_lookup(tz, prev - 1, &prev, &next);
		if (next - 1 + off > max)
			max = next - 1 + off;
	}
	return (max);
}

/*
 * Hours start each time the wall clock shows one (twice as DST ends) or
 * jumps past one; other buckets the first time it reaches their start,
 * which is the change itself when DST skips over it.  For hours, walk back
 * one stretch of constant offset at a time to the last start.
 */
int64_t
tz_bucket(const struct tz *tz, int64_t t, enum bucket b)
{
	int64_t	prev, next, start;
	int32_t	off;

	if (b != BUCKET_HOUR)
		return (tz_first(tz, date_bucket(tz_wallmax(tz, t), b)));
	for (;;) {
		off = tz_lookup(tz, t, &prev, &next);
		start = date_bucket(t + off, b) - off;
		if (start > prev || prev == INT64_MIN || tz_hour_at(tz, prev))
			return (start > prev ? start : prev);
		t = prev - 1;
	}
}

/* The start of the bucket after the one starting at start. */
int64_t
tz_bucket_next(const struct tz *tz, int64_t start, enum bucket b)
{
	int64_t	prev, next, t;
	int32_t	off;

	if (b != BUCKET_HOUR)
		return (tz_first(tz, date_bucket_next(date_bucket(
		    tz_wallmax(tz, start), b), b)));
	for (;;) {
		off = tz_lookup(tz, start, &prev, &next);
		t = date_bucket_next(date_bucket(start + off, b), b) - off;
		if (t < next || next == INT64_MAX || tz_hour_at(tz, next))
			return (t < next ? t : next);
		start = next;
	}
}

/* "2025-11-13T00:00:00-05:00"; "...Z" for UTC; LMT seconds as ":SS". */
void
tz_format(const struct tz *tz, int64_t t, char *buf, size_t len)
{
	char	wall[64];
	int	off, a;

	if (tz->utc) {
		date_iso(t, buf, len);
		return;
	}
	off = tz_offset(tz, t);
	date_iso(t + off, wall, sizeof wall);
	wall[strlen(wall) - 1] = '\0';		/* the Z */
	a = off < 0 ? -off : off;
	if (a % 60 != 0)
		snprintf(buf, len, "%s%c%02d:%02d:%02d", wall,
		    off < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
	else
		snprintf(buf, len, "%s%c%02d:%02d", wall, off < 0 ? '-' : '+',
		    a / 3600, a / 60 % 60);
}

/*
 * One TZif header and data block of tsize-byte times at p; *used is its
 * length.  Every count is checked against the bytes there really are.
 */
static int
tz_block(struct tz *tz, const u_char *p, size_t len, size_t tsize,
    size_t *used)
{
	const u_char	*tp, *ip, *ty;
	size_t		 c[6], need, i;
	uint64_t	 u;
	int64_t		 t;
	int32_t		 off;

	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return (-1);
	for (i = 0; i < 6; i++) {
		if ((c[i] = tz_be32(p + 20 + 4 * i)) > len)
			return (-1);
	}
	/* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
	if (c[4] == 0 || c[4] > 256 || (c[0] != 0 && c[0] != c[4]) ||
	    (c[1] != 0 && c[1] != c[4]))
		return (-1);
	need = 44 + c[3] * (tsize + 1) + c[4] * 6 + c[5] + c[2] * (tsize + 4) +
	    c[1] + c[0];
	if (need > len)
		return (-1);
	*used = need;
	tp = p + 44;
	ip = tp + c[3] * tsize;
	ty = ip + c[3];
	for (i = 0; i < c[4]; i++) {
		off = (int32_t)tz_be32(ty + 6 * i);
		if (off < -89999 || off > 93599 || ty[6 * i + 4] > 1 ||
		    ty[6 * i + 5] >= c[5])
			return (-1);
	}
	free(tz->trans);
	free(tz->offs);
	tz->trans = NULL;
	tz->offs = NULL;
	if ((tz->ntrans = c[3]) != 0) {
		tz->trans = xreallocarray(NULL, c[3], sizeof *tz->trans);
		tz->offs = xreallocarray(NULL, c[3], sizeof *tz->offs);
	}
	for (i = 0; i < c[3]; i++) {
		if (tsize == 8) {
			u = (uint64_t)tz_be32(tp + 8 * i) << 32 |
			    tz_be32(tp + 8 * i + 4);
			t = (int64_t)u;
		} else
			t = (int32_t)tz_be32(tp + 4 * i);
		if (ip[i] >= c[4] || (i > 0 && t <= tz->trans[i - 1]))
			return (-1);
		tz->trans[i] = t;
		tz->offs[i] = (int32_t)tz_be32(ty + 6 * ip[i]);
	}
	tz->off0 = (int32_t)tz_be32(ty);
	return (0);
}

/* A whole TZif file: v1, or v2+ with its 64-bit block and footer. */
static int
tz_parse(struct tz *tz, const u_char *p, size_t len)
{
	size_t	used, i;
	char	*footer;
	int	error;

	if (tz_block(tz, p, len, 4, &used) != 0)
		return (-1);
	if (p[4] == '\0')
		return (0);
	if (p[4] < '2')
		return (-1);
	p += used;
	len -= used;
	if (tz_block(tz, p, len, 8, &used) != 0)
		return (-1);
	p += used;
	len -= used;
	if (len < 2 || p[0] != '\n')
		return (-1);
	for (i = 1; i < len && p[i] != '\n'; i++) {
		if (p[i] == '\0')
			return (-1);
	}
	if (i == len)
		return (-1);
	if (i == 1)		/* empty: the last type holds for ever */
		return (0);
	footer = xstrndup((const char *)p + 1, i - 1);
	error = tz_posix(tz, footer);
	free(footer);
	return (error);
}

/* A whole regular file of at most TZ_MAXFILE bytes; -1 and errno if not. */
static int
tz_read(const char *path, u_char **out, size_t *outlen)
{
	struct stat	 st;
	u_char		*data;
	size_t		 size, len = 0;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return (-1);
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return (-1);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TZ_MAXFILE) {
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : ENOENT;
		return (-1);
	}
	size = (size_t)st.st_size + 1;	/* room to see it grew */
	data = xmalloc(size);
	while (len < size) {
		if ((n = read(fd, data + len, size - len)) == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			free(data);
			close(fd);
			errno = saved;
			return (-1);
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	*out = data;
	*outlen = len;
	return (0);
}

/* Components of [A-Za-z0-9._+-] between slashes, none starting with '.'. */
static int
tz_valid_name(const char *name)
{
	const char	*p;

	if (*name == '\0' || strlen(name) > TZ_MAXNAME)
		return (0);
	for (p = name; *p != '\0'; p++) {
		if ((p == name || p[-1] == '/') && (*p == '.' || *p == '/'))
			return (0);
		if (*p != '/' && strchr("._+-", *p) == NULL &&
		    ((u_char)*p >= 0x80 || !isalnum((u_char)*p)))
			return (0);
	}
	return (p[-1] != '/');
}

/* "UTC" is built in; other names are files under $TZDIR. */
struct tz *
tz_load(const char *name, char **cause)
{
	struct tz	*tz;
	const char	*dir;
	char		*path;
	u_char		*data;
	size_t		 len;

	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
	    strcmp(name, "Z") == 0) {
		tz = xcalloc(1, sizeof *tz);
		tz->utc = 1;
		return (tz);
	}
	if (!tz_valid_name(name)) {
		xasprintf(cause, "unknown time zone \"%s\" (an IANA name such "
		    "as Europe/Paris)", name);
		return (NULL);
	}
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = TZ_DEFDIR;
	xasprintf(&path, "%s/%s", dir, name);
	if (tz_read(path, &data, &len) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			xasprintf(cause, "unknown time zone \"%s\" (an IANA "
			    "name such as Europe/Paris)", name);
		else
			xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return (NULL);
	}
	tz = xcalloc(1, sizeof *tz);
	if (tz_parse(tz, data, len) != 0) {
		xasprintf(cause, "%s: not a valid TZif time zone file", path);
		tz_free(tz);
		tz = NULL;
	}
	free(data);
	free(path);
	return (tz);
}

void
tz_free(struct tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->trans);
	free(tz->offs);
	free(tz);
}

int
tz_is_utc(const struct tz *tz)
{
	return (tz->utc);
}
