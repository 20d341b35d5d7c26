/*
 * Dates as feeds write them, to UTC epoch seconds, and the calendar
 * arithmetic that trend buckets need.  Pure functions: no locale, no TZ
 * environment, no libc time conversion (timegm is not portable and mktime
 * depends on TZ), so results are the same on every machine.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "mentiond.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
int64_t
date_from_civil(int64_t y, int m, int d)
{
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

/* The inverse: a day number to year, month (1-12) and day (1-31). */
void
date_to_civil(int64_t z, int64_t *yp, int *mp, int *dp)
{
	int64_t		era, doe, yoe, y, doy, mp0;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp0 = (5 * doy + 2) / 153;
	*dp = (int)(doy - (153 * mp0 + 2) / 5 + 1);
	*mp = (int)(mp0 < 10 ? mp0 + 3 : mp0 - 9);
	*yp = y + (*mp <= 2);
}

static int
date_leap(int64_t y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

static int
date_mdays(int64_t y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && date_leap(y))
		return (29);
	return (days[m - 1]);
}

int64_t
date_mktime(int64_t y, int mo, int d, int h, int mi, int s)
{
	return (date_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
}

/* Validate fields and convert; offset is minutes east of UTC. */
static int
date_make(int64_t y, int mo, int d, int h, int mi, int s, int off,
    int64_t *out)
{
	if (mo < 1 || mo > 12 || d < 1 || d > date_mdays(y, mo))
		return (-1);
	if (h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return (-1);
	if (h == 24 && (mi != 0 || s != 0))
		return (-1);
	if (s == 60)		/* a leap second is the next second's start */
		s = 59;
	*out = date_mktime(y, mo, d, h, mi, s) - (int64_t)off * 60;
	return (0);
}

static const char *date_months[] = { "jan", "feb", "mar", "apr", "may",
    "jun", "jul", "aug", "sep", "oct", "nov", "dec" };

/* A month name, abbreviated or in full ("Jan", "January", "Sept"). */
static int
date_month(const char *s, size_t len)
{
	static const char	*full[] = { "january", "february", "march",
	    "april", "may", "june", "july", "august", "september",
	    "october", "november", "december" };
	size_t			 i;

	if (len < 3)
		return (-1);
	for (i = 0; i < 12; i++) {
		if (len == 3 && strncasecmp(s, date_months[i], 3) == 0)
			return ((int)i + 1);
		if (len == strlen(full[i]) && strncasecmp(s, full[i], len) == 0)
			return ((int)i + 1);
	}
	if (len == 4 && strncasecmp(s, "sept", 4) == 0)
		return (9);
	return (-1);
}

static int
date_weekday(const char *s, size_t len)
{
	static const char	*days[] = { "mon", "tue", "wed", "thu", "fri",
	    "sat", "sun" };
	static const char	*full[] = { "monday", "tuesday", "wednesday",
	    "thursday", "friday", "saturday", "sunday" };
	size_t			 i;

	for (i = 0; i < 7; i++) {
		if (len == 3 && strncasecmp(s, days[i], 3) == 0)
			return (0);
		if (len == strlen(full[i]) && strncasecmp(s, full[i], len) == 0)
			return (0);
	}
	if ((len == 4 && (strncasecmp(s, "tues", 4) == 0 ||
	    strncasecmp(s, "thur", 4) == 0)) ||
	    (len == 5 && strncasecmp(s, "thurs", 5) == 0))
		return (0);
	return (-1);
}

/*
 * Zone names seen in feeds.  RFC 822's military letters are ambiguous in
 * practice (RFC 2822 says to read them as -0000), so only Z is kept.
 */
static const struct {
	const char	*name;
	int		 off;	/* minutes east of UTC */
} date_zones[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 }, { "Etc/GMT", 0 },
	{ "Etc/UTC", 0 }, { "WET", 0 }, { "BST", 60 }, { "IST", 60 },
	{ "CET", 60 }, { "MET", 60 }, { "CEST", 120 }, { "MEST", 120 },
	{ "EET", 120 }, { "EEST", 180 }, { "MSK", 180 },
	{ "AT", -240 }, { "AST", -240 }, { "ADT", -180 },
	{ "ET", -300 }, { "EST", -300 }, { "EDT", -240 },
	{ "CT", -360 }, { "CST", -360 }, { "CDT", -300 },
	{ "MT", -420 }, { "MST", -420 }, { "MDT", -360 },
	{ "PT", -480 }, { "PST", -480 }, { "PDT", -420 },
	{ "AKST", -540 }, { "AKDT", -480 }, { "HST", -600 },
	{ "JST", 540 }, { "KST", 540 }, { "AEST", 600 }, { "AEDT", 660 },
	{ "NZST", 720 }, { "NZDT", 780 },
};

/*
 * A numeric offset "+HHMM", "+HH:MM" or "+HH" at s; sets *end past it.
 * Hours above 23 or minutes above 59 are errors, not wrap-arounds.
 */
static int
date_offset(const char *s, const char **end, int *off)
{
	int	sign, h, m = 0;

	if (*s != '+' && *s != '-')
		return (-1);
	sign = *s++ == '-' ? -1 : 1;
	if (!isdigit((u_char)s[0]) || !isdigit((u_char)s[1]))
		return (-1);
	h = (s[0] - '0') * 10 + (s[1] - '0');
	s += 2;
	if (*s == ':')
		s++;
	if (isdigit((u_char)s[0])) {
		if (!isdigit((u_char)s[1]))
			return (-1);
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
	} else if (s[-1] == ':')
		return (-1);
	if (isdigit((u_char)*s) || h > 23 || m > 59)
		return (-1);
	*off = sign * (h * 60 + m);
	*end = s;
	return (0);
}

/* A zone at s: numeric, a name, or a name followed by an offset (GMT+1). */
static int
date_zone(const char *s, const char **end, int *off)
{
	size_t	len, i;
	int	extra;

	if (*s == '+' || *s == '-')
		return (date_offset(s, end, off));
	for (len = 0; isalpha((u_char)s[len]) || s[len] == '/'; len++)
		;
	if (len == 0)
		return (-1);
	for (i = 0; i < nitems(date_zones); i++) {
		if (strlen(date_zones[i].name) == len &&
		    strncasecmp(s, date_zones[i].name, len) == 0)
			break;
	}
	if (i == nitems(date_zones))
		*off = 0;	/* an unknown zone name: read as UTC */
	else
		*off = date_zones[i].off;
	s += len;
	if ((*s == '+' || *s == '-') && date_offset(s, &s, &extra) == 0)
		*off += extra;
	*end = s;
	return (0);
}

/* Up to max digits at *sp; the count read in *n. */
static int
date_num(const char **sp, int max, int *n)
{
	const char	*s = *sp;
	int		 v = 0, i;

	for (i = 0; i < max && isdigit((u_char)s[i]); i++)
		v = v * 10 + (s[i] - '0');
	if (i == 0)
		return (-1);
	*sp = s + i;
	*n = i;
	return (v);
}

static const char *
date_skipws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	return (s);
}

/* "HH:MM[:SS]" with one- or two-digit fields. */
static int
date_clock(const char **sp, int *h, int *mi, int *sec)
{
	const char	*s = *sp;
	int		 n;

	if ((*h = date_num(&s, 2, &n)) < 0 || *s++ != ':')
		return (-1);
	if ((*mi = date_num(&s, 2, &n)) < 0 || n != 2)
		return (-1);
	*sec = 0;
	if (*s == ':') {
		s++;
		if ((*sec = date_num(&s, 2, &n)) < 0 || n != 2)
			return (-1);
		if (*s == '.' || *s == ',') {	/* fraction: ignored */
			s++;
			while (isdigit((u_char)*s))
				s++;
		}
	}
	if (*s == ':' || isdigit((u_char)*s))
		return (-1);
	*sp = s;
	return (0);
}

/* A 2-digit year per RFC 2822: 00-49 is 20xx, 50-99 is 19xx. */
static int64_t
date_year(int v, int ndigits)
{
	if (ndigits == 2)
		return (v < 50 ? 2000 + v : 1900 + v);
	if (ndigits == 3)
		return (1900 + v);
	return (v);
}

/* The end of a date: trailing white space, optionally a zone, then nothing. */
static int
date_tail(const char *s, int *off)
{
	s = date_skipws(s);
	if (*s == '\0')
		return (0);
	if (date_zone(s, &s, off) != 0)
		return (-1);
	s = date_skipws(s);
	return (*s == '\0' ? 0 : -1);
}

/*
 * RFC 822/2822 and the variants feeds really use: optional weekday with or
 * without comma, full month names, "Feb, 2012", 2-digit years, missing
 * seconds or time, any zone form; also "Thu Aug 30 2012 17:26:16 +0200",
 * asctime, Twitter's "Sun Jul 15 01:16:00 +0000 2012" and
 * "Fri, 2006/09/15 08:19:53 EDT".
 */
int
date_parse_rfc822(const char *str, int64_t *out)
{
	const char	*s = date_skipws(str), *w;
	int		 d, mo, yv, yn, n, h = 0, mi = 0, sec = 0, off = 0;
	int64_t		 y;
	size_t		 len;

	/* Optional weekday. */
	for (len = 0; isalpha((u_char)s[len]); len++)
		;
	if (len > 0 && date_weekday(s, len) == 0) {
		s += len;
		if (*s == ',')
			s++;
		s = date_skipws(s);
	}

	if (isdigit((u_char)s[0]) && isdigit((u_char)s[1]) &&
	    isdigit((u_char)s[2]) && isdigit((u_char)s[3]) && s[4] == '/') {
		/* "YYYY/MM/DD [HH:MM[:SS]] [zone]" (Perforce, many CMSes) */
		y = date_num(&s, 4, &yn);
		s++;
		if ((mo = date_num(&s, 2, &n)) < 0 || *s++ != '/' ||
		    (d = date_num(&s, 2, &n)) < 0 || isdigit((u_char)*s))
			return (-1);
		s = date_skipws(s);
		if (isdigit((u_char)*s) && date_clock(&s, &h, &mi, &sec) != 0)
			return (-1);
		if (date_tail(s, &off) != 0)
			return (-1);
		return (date_make(y, mo, d, h, mi, sec, off, out));
	}
	if (isdigit((u_char)*s)) {
		/* "DD Mon[,] YYYY [HH:MM[:SS]] [zone]" */
		if ((d = date_num(&s, 2, &n)) < 0)
			return (-1);
		if (*s == '-' || *s == ' ')
			s++;
		s = date_skipws(s);
		for (w = s, len = 0; isalpha((u_char)s[len]); len++)
			;
		if ((mo = date_month(w, len)) < 0)
			return (-1);
		s += len;
		if (*s == ',' || *s == '-')
			s++;
		s = date_skipws(s);
		if ((yv = date_num(&s, 4, &yn)) < 0 || isdigit((u_char)*s))
			return (-1);
		y = date_year(yv, yn);
		s = date_skipws(s);
		if (isdigit((u_char)*s) && date_clock(&s, &h, &mi, &sec) != 0)
			return (-1);
		if (date_tail(s, &off) != 0)
			return (-1);
		return (date_make(y, mo, d, h, mi, sec, off, out));
	}

	/* "Mon DD ..." forms: month name first. */
	for (w = s, len = 0; isalpha((u_char)s[len]); len++)
		;
	if ((mo = date_month(w, len)) < 0)
		return (-1);
	s = date_skipws(s + len);
	if ((d = date_num(&s, 2, &n)) < 0)
		return (-1);
	if (*s == ',')
		s++;
	s = date_skipws(s);
	if (isdigit((u_char)s[0]) && isdigit((u_char)s[1]) &&
	    isdigit((u_char)s[2]) && isdigit((u_char)s[3])) {
		/* "Aug 30 2012 17:26:16 +0200" */
		yv = date_num(&s, 4, &yn);
		y = yv;
		s = date_skipws(s);
		if (isdigit((u_char)*s) && date_clock(&s, &h, &mi, &sec) != 0)
			return (-1);
		if (date_tail(s, &off) != 0)
			return (-1);
		return (date_make(y, mo, d, h, mi, sec, off, out));
	}
	/* asctime "Jan  4 16:29:06 2004", Twitter "... 01:16:00 +0000 2012" */
	if (date_clock(&s, &h, &mi, &sec) != 0)
		return (-1);
	s = date_skipws(s);
	if (!isdigit((u_char)*s)) {
		if (date_zone(s, &s, &off) != 0)
			return (-1);
		s = date_skipws(s);
	}
	if ((yv = date_num(&s, 4, &yn)) < 0 || yn != 4)
		return (-1);
	if (*date_skipws(s) != '\0')
		return (-1);
	return (date_make(yv, mo, d, h, mi, sec, off, out));
}

/*
 * ISO 8601 as feeds use it: RFC 3339 and W3C-DTF ("2003", "2003-12",
 * "2003-12-31", then "T" or a space, "HH:MM[:SS[.frac]]", then "Z" or a
 * numeric offset, possibly after a space).  A missing zone is UTC.
 */
int
date_parse_iso8601(const char *str, int64_t *out)
{
	const char	*s = date_skipws(str);
	int		 yv, n, mo = 1, d = 1, h = 0, mi = 0, sec = 0, off = 0;

	if ((yv = date_num(&s, 4, &n)) < 0 || n != 4)
		return (-1);
	if (*s == '-') {
		s++;
		if ((mo = date_num(&s, 3, &n)) < 0)
			return (-1);
		if (*s == '-') {
			s++;
			if ((d = date_num(&s, 2, &n)) < 0 || n != 2)
				return (-1);
		}
	}
	if (*s == 'T' || *s == 't' || (*s == ' ' && isdigit((u_char)s[1]))) {
		s++;
		if (date_clock(&s, &h, &mi, &sec) != 0)
			return (-1);
		if (*s == ' ' && (s[1] == '+' || s[1] == '-' || s[1] == 'Z'))
			s++;
		if (*s == 'Z' || *s == 'z')
			s++;
		else if (*s == '+' || *s == '-') {
			if (date_offset(s, &s, &off) != 0)
				return (-1);
		}
	} else if (*s == 'Z' || *s == 'z')
		s++;
	if (*date_skipws(s) != '\0')
		return (-1);
	return (date_make(yv, mo, d, h, mi, sec, off, out));
}

/* Any date a feed may carry; 0 and *out set on success, -1 otherwise. */
int
date_parse(const char *s, int64_t *out)
{
	const char	*p = date_skipws(s);

	if (*p == '\0')
		return (-1);
	if (isdigit((u_char)p[0]) && isdigit((u_char)p[1]) &&
	    isdigit((u_char)p[2]) && isdigit((u_char)p[3]) &&
	    (p[4] == '-' || p[4] == '\0' || p[4] == 'T'))
		return (date_parse_iso8601(p, out));
	return (date_parse_rfc822(p, out));
}

/* "2025-11-13T05:00:00Z". */
void
date_iso(int64_t t, char *buf, size_t len)
{
	int64_t	days, secs, y;
	int	mo, d;

	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - days * 86400;
	date_to_civil(days, &y, &mo, &d);
	snprintf(buf, len, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y,
	    mo, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

int
date_bucket_name(const char *name, enum bucket *b)
{
	if (strcmp(name, "hour") == 0)
		*b = BUCKET_HOUR;
	else if (strcmp(name, "day") == 0)
		*b = BUCKET_DAY;
	else if (strcmp(name, "week") == 0)
		*b = BUCKET_WEEK;
	else if (strcmp(name, "month") == 0)
		*b = BUCKET_MONTH;
	else
		return (-1);
	return (0);
}

const char *
date_bucket_str(enum bucket b)
{
	switch (b) {
	case BUCKET_HOUR:
		return ("hour");
	case BUCKET_DAY:
		return ("day");
	case BUCKET_WEEK:
		return ("week");
	case BUCKET_MONTH:
		return ("month");
	}
	return ("?");
}

static int64_t
date_floordiv(int64_t a, int64_t b)
{
	return (a >= 0 ? a / b : -((-a + b - 1) / b));
}

/* The start of the UTC bucket holding t; weeks start on Monday. */
int64_t
date_bucket(int64_t t, enum bucket b)
{
	int64_t	day, y;
	int	m, d;

	switch (b) {
	case BUCKET_HOUR:
		return (date_floordiv(t, 3600) * 3600);
	case BUCKET_DAY:
		return (date_floordiv(t, 86400) * 86400);
	case BUCKET_WEEK:
		/* 1970-01-01 was a Thursday; day -3 a Monday. */
		day = date_floordiv(t, 86400);
		return ((date_floordiv(day + 3, 7) * 7 - 3) * 86400);
	case BUCKET_MONTH:
		date_to_civil(date_floordiv(t, 86400), &y, &m, &d);
		return (date_from_civil(y, m, 1) * 86400);
	}
	return (t);
}

/* The start of the bucket after the one starting at t. */
int64_t
date_bucket_next(int64_t t, enum bucket b)
{
	int64_t	y;
	int	m, d;

	switch (b) {
	case BUCKET_HOUR:
		return (t + 3600);
	case BUCKET_DAY:
		return (t + 86400);
	case BUCKET_WEEK:
		return (t + 7 * 86400);
	case BUCKET_MONTH:
		date_to_civil(date_floordiv(t, 86400), &y, &m, &d);
		if (++m > 12) {
			m = 1;
			y++;
		}
		return (date_from_civil(y, m, 1) * 86400);
	}
	return (t);
}
