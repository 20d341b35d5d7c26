/*
 * tz.c: IANA zones from TZif files, local buckets, ISO labels.
 * Expected instants and offsets were worked out independently when the
 * tests were written: named zones with Python's zoneinfo and cross-checked
 * with TZ=Zone date(1), POSIX TZ strings with glibc's TZ="..." date(1),
 * never taken from tz.c.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mentiond.h"

#define ZONEINFO	"/usr/share/zoneinfo"

/* One bucket: an instant in it, its start, the next start, the label. */
struct vec {
	int64_t		 t;
	enum bucket	 b;
	int64_t		 start;
	int64_t		 next;
	const char	*label;
};

static char	tmpdir[] = "/tmp/test_tz.XXXXXX";

/* A system zone; skips the test when there is no zoneinfo. */
static struct tz *
load(const char *name)
{
	struct tz	*tz;
	char		*cause = NULL;

	if (access(ZONEINFO, F_OK) != 0)
		skip();
	if ((tz = tz_load(name, &cause)) == NULL)
		fail_msg("%s: %s", name, cause);
	return (tz);
}

static void
check_vecs(const char *name, const struct vec *v, size_t n)
{
	struct tz	*tz = load(name);
	char		 buf[64];
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (tz_bucket(tz, v[i].t, v[i].b) != v[i].start)
			fail_msg("%s %lld %s: start %lld, want %lld", name,
			    (long long)v[i].t, date_bucket_str(v[i].b),
			    (long long)tz_bucket(tz, v[i].t, v[i].b),
			    (long long)v[i].start);
		if (tz_bucket_next(tz, v[i].start, v[i].b) != v[i].next)
			fail_msg("%s %lld %s: next %lld, want %lld", name,
			    (long long)v[i].start, date_bucket_str(v[i].b),
			    (long long)tz_bucket_next(tz, v[i].start, v[i].b),
			    (long long)v[i].next);
		/* A bucket's own start is in it. */
		assert_int_equal(tz_bucket(tz, v[i].start, v[i].b),
		    v[i].start);
		assert_int_equal(tz_bucket(tz, v[i].next - 1, v[i].b),
		    v[i].start);
		tz_format(tz, v[i].start, buf, sizeof buf);
		assert_string_equal(buf, v[i].label);
	}
	tz_free(tz);
}

/* Offsets either side of a change: at t - 1 and at t. */
static void
check_change(const char *name, int64_t t, int before, int after)
{
	struct tz	*tz = load(name);

	assert_int_equal(tz_offset(tz, t - 1), before);
	assert_int_equal(tz_offset(tz, t), after);
	tz_free(tz);
}

static void
test_utc_names_are_the_builtin_zone(void **state)
{
	const char	*names[] = { "UTC", "Etc/UTC", "Z" };
	struct tz	*tz;
	char		*cause = NULL;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(names); i++) {
		tz = tz_load(names[i], &cause);
		assert_non_null(tz);
		assert_true(tz_is_utc(tz));
		assert_int_equal(tz_offset(tz, INT64_C(1763029230)), 0);
		tz_free(tz);
	}
}

static void
test_utc_buckets_equal_date_bucket(void **state)
{
	const int64_t	 ts[] = { 0, -1, 1, INT64_C(1763029230),
	    INT64_C(1762992000), INT64_C(-86401), INT64_C(951782400),
	    INT64_C(2225016000), INT64_C(-2208988800), INT64_C(1709251199) };
	const enum bucket bs[] = { BUCKET_HOUR, BUCKET_DAY, BUCKET_WEEK,
	    BUCKET_MONTH };
	struct tz	*tz;
	char		*cause = NULL;
	int64_t		 s;
	size_t		 i, j;

	(void)state;
	tz = tz_load("UTC", &cause);
	assert_non_null(tz);
	for (i = 0; i < nitems(ts); i++) {
		for (j = 0; j < nitems(bs); j++) {
			s = tz_bucket(tz, ts[i], bs[j]);
			assert_int_equal(s, date_bucket(ts[i], bs[j]));
			assert_int_equal(tz_bucket_next(tz, s, bs[j]),
			    date_bucket_next(s, bs[j]));
		}
	}
	tz_free(tz);
}

static void
test_utc_label_ends_in_z(void **state)
{
	struct tz	*tz;
	char		*cause = NULL, buf[64];

	(void)state;
	tz = tz_load("UTC", &cause);
	assert_non_null(tz);
	tz_format(tz, INT64_C(1762992000), buf, sizeof buf);
	assert_string_equal(buf, "2025-11-13T00:00:00Z");
	tz_free(tz);
}

static void
test_new_york_is_not_utc(void **state)
{
	struct tz	*tz;

	(void)state;
	tz = load("America/New_York");
	assert_false(tz_is_utc(tz));
	assert_int_equal(tz_offset(tz, INT64_C(1763029230)), -18000);
	tz_free(tz);
}

static void
test_new_york_day_starts_at_local_midnight(void **state)
{
	/* 2025-11-13T10:20:30Z is 05:20:30 EST. */
	const struct vec v[] = {
		{ INT64_C(1763029230), BUCKET_DAY, INT64_C(1763010000),
		  INT64_C(1763096400), "2025-11-13T00:00:00-05:00" },
		{ INT64_C(1763029230), BUCKET_HOUR, INT64_C(1763028000),
		  INT64_C(1763031600), "2025-11-13T05:00:00-05:00" },
	};

	(void)state;
	check_vecs("America/New_York", v, nitems(v));
}

static void
test_new_york_spring_forward_day_has_23_hours(void **state)
{
	const struct vec v[] = {
		{ INT64_C(1741521600), BUCKET_DAY, INT64_C(1741496400),
		  INT64_C(1741579200), "2025-03-09T00:00:00-05:00" },
		{ INT64_C(1741579200), BUCKET_DAY, INT64_C(1741579200),
		  INT64_C(1741579200) + 86400, "2025-03-10T00:00:00-04:00" },
	};

	(void)state;
	check_vecs("America/New_York", v, nitems(v));
	assert_int_equal(v[0].next - v[0].start, 23 * 3600);
}

static void
test_new_york_fall_back_day_has_25_hours(void **state)
{
	/* 06:30Z is the second 01:30 that day, in EST. */
	const struct vec v[] = {
		{ INT64_C(1762065000), BUCKET_DAY, INT64_C(1762056000),
		  INT64_C(1762146000), "2025-11-02T00:00:00-04:00" },
		{ INT64_C(1762084800), BUCKET_DAY, INT64_C(1762056000),
		  INT64_C(1762146000), "2025-11-02T00:00:00-04:00" },
	};

	(void)state;
	check_vecs("America/New_York", v, nitems(v));
	assert_int_equal(v[0].next - v[0].start, 25 * 3600);
}

static void
test_new_york_hours_are_real_hours_across_dst(void **state)
{
	const struct vec v[] = {
		/* 01:59:59 EST, then the clock shows 03:00 EDT. */
		{ INT64_C(1741503599), BUCKET_HOUR, INT64_C(1741500000),
		  INT64_C(1741503600), "2025-03-09T01:00:00-05:00" },
		{ INT64_C(1741503600), BUCKET_HOUR, INT64_C(1741503600),
		  INT64_C(1741507200), "2025-03-09T03:00:00-04:00" },
		/* 01:00 happens twice: once in EDT, once in EST. */
		{ INT64_C(1762061400), BUCKET_HOUR, INT64_C(1762059600),
		  INT64_C(1762063200), "2025-11-02T01:00:00-04:00" },
		{ INT64_C(1762065000), BUCKET_HOUR, INT64_C(1762063200),
		  INT64_C(1762066800), "2025-11-02T01:00:00-05:00" },
	};

	(void)state;
	check_vecs("America/New_York", v, nitems(v));
}

static void
test_new_york_week_starts_monday_local(void **state)
{
	const struct vec v[] = {
		/* Thursday 2025-11-13: Monday 2025-11-10 00:00 EST. */
		{ INT64_C(1763029230), BUCKET_WEEK, INT64_C(1762750800),
		  INT64_C(1763355600), "2025-11-10T00:00:00-05:00" },
		/* Sunday 22:00 EST is Monday in UTC, still last week here. */
		{ INT64_C(1763348400), BUCKET_WEEK, INT64_C(1762750800),
		  INT64_C(1763355600), "2025-11-10T00:00:00-05:00" },
		/* The week DST ends in is an hour longer. */
		{ INT64_C(1762084800), BUCKET_WEEK, INT64_C(1761537600),
		  INT64_C(1762146000), "2025-10-27T00:00:00-04:00" },
	};

	(void)state;
	check_vecs("America/New_York", v, nitems(v));
	assert_int_equal(v[2].next - v[2].start, 7 * 86400 + 3600);
}

static void
test_new_york_month_starts_local_across_dst(void **state)
{
	const struct vec v[] = {
		{ INT64_C(1742428800), BUCKET_MONTH, INT64_C(1740805200),
		  INT64_C(1743480000), "2025-03-01T00:00:00-05:00" },
		{ INT64_C(1743480000), BUCKET_MONTH, INT64_C(1743480000),
		  INT64_C(1746072000), "2025-04-01T00:00:00-04:00" },
		{ INT64_C(1763596800), BUCKET_MONTH, INT64_C(1761969600),
		  INT64_C(1764565200), "2025-11-01T00:00:00-04:00" },
	};

	(void)state;
	check_vecs("America/New_York", v, nitems(v));
}

static void
test_new_york_offsets_either_side_of_changes(void **state)
{
	(void)state;
	check_change("America/New_York", INT64_C(1741503600), -18000, -14400);
	check_change("America/New_York", INT64_C(1762063200), -14400, -18000);
}

static void
test_new_york_2040_comes_from_the_footer_rule(void **state)
{
	const struct vec v[] = {
		{ INT64_C(2225016000), BUCKET_DAY, INT64_C(2224987200),
		  INT64_C(2225073600), "2040-07-04T00:00:00-04:00" },
	};
	struct tz	*tz;

	(void)state;
	tz = load("America/New_York");
	assert_int_equal(tz_offset(tz, INT64_C(2225016000)), -14400);
	assert_int_equal(tz_offset(tz, INT64_C(2210241600)), -18000);
	tz_free(tz);
	check_vecs("America/New_York", v, nitems(v));
	/* 2040-03-11 and 2040-11-04, the second and first Sundays. */
	check_change("America/New_York", INT64_C(2215062000), -18000, -14400);
	check_change("America/New_York", INT64_C(2235621600), -14400, -18000);
}

static void
test_sydney_2045_southern_rule_wraps_the_year(void **state)
{
	struct tz	*tz;

	(void)state;
	tz = load("Australia/Sydney");
	assert_int_equal(tz_offset(tz, INT64_C(2368051200)), 39600);
	assert_int_equal(tz_offset(tz, INT64_C(2383689600)), 36000);
	tz_free(tz);
	check_change("Australia/Sydney", INT64_C(2374675200), 39600, 36000);
}

static void
test_london_days_around_its_changes(void **state)
{
	const struct vec v[] = {
		{ INT64_C(1743336000), BUCKET_DAY, INT64_C(1743292800),
		  INT64_C(1743375600), "2025-03-30T00:00:00+00:00" },
		{ INT64_C(1761480000), BUCKET_DAY, INT64_C(1761433200),
		  INT64_C(1761523200), "2025-10-26T00:00:00+01:00" },
		{ INT64_C(1761523200), BUCKET_DAY, INT64_C(1761523200),
		  INT64_C(1761523200) + 86400, "2025-10-27T00:00:00+00:00" },
	};

	(void)state;
	check_vecs("Europe/London", v, nitems(v));
	check_change("Europe/London", INT64_C(1743296400), 0, 3600);
	check_change("Europe/London", INT64_C(1761440400), 3600, 0);
}

static void
test_kolkata_midnight_is_1830_utc(void **state)
{
	const struct vec v[] = {
		{ INT64_C(1763029230), BUCKET_DAY, INT64_C(1762972200),
		  INT64_C(1763058600), "2025-11-13T00:00:00+05:30" },
		{ INT64_C(1763029230), BUCKET_HOUR, INT64_C(1763026200),
		  INT64_C(1763029800), "2025-11-13T15:00:00+05:30" },
		{ INT64_C(1763029230), BUCKET_MONTH, INT64_C(1761935400),
		  INT64_C(1764527400), "2025-11-01T00:00:00+05:30" },
	};

	(void)state;
	check_vecs("Asia/Kolkata", v, nitems(v));
}

static void
test_kathmandu_is_0545(void **state)
{
	const struct vec v[] = {
		{ INT64_C(1763029230), BUCKET_DAY, INT64_C(1762971300),
		  INT64_C(1763057700), "2025-11-13T00:00:00+05:45" },
		/* 16:05:30 local: the hour began at 10:15Z. */
		{ INT64_C(1763029230), BUCKET_HOUR, INT64_C(1763028900),
		  INT64_C(1763032500), "2025-11-13T16:00:00+05:45" },
	};

	(void)state;
	check_vecs("Asia/Kathmandu", v, nitems(v));
}

static void
test_lord_howe_shifts_half_an_hour(void **state)
{
	const struct vec v[] = {
		/* 02:00 +11 becomes 01:30 +10:30: a 24.5-hour day. */
		{ INT64_C(1743895800), BUCKET_DAY, INT64_C(1743858000),
		  INT64_C(1743946200), "2025-04-06T00:00:00+11:00" },
		/* 02:00 +10:30 becomes 02:30 +11: a 23.5-hour day. */
		{ INT64_C(1759626000), BUCKET_DAY, INT64_C(1759584600),
		  INT64_C(1759669200), "2025-10-05T00:00:00+10:30" },
		/* 01:45 +10:30 is still in the hour that began 01:00 +11. */
		{ INT64_C(1743866100), BUCKET_HOUR, INT64_C(1743861600),
		  INT64_C(1743867000), "2025-04-06T01:00:00+11:00" },
	};

	(void)state;
	check_vecs("Australia/Lord_Howe", v, nitems(v));
	check_change("Australia/Lord_Howe", INT64_C(1743865200), 39600, 37800);
	check_change("Australia/Lord_Howe", INT64_C(1759591800), 37800, 39600);
}

static void
test_santiago_midnight_gap_starts_day_at_0100(void **state)
{
	const struct vec v[] = {
		/* 2025-09-07 00:00 -04 does not exist; 01:00 -03 does. */
		{ INT64_C(1757246400), BUCKET_DAY, INT64_C(1757217600),
		  INT64_C(1757300400), "2025-09-07T01:00:00-03:00" },
		{ INT64_C(1757217599), BUCKET_DAY, INT64_C(1757131200),
		  INT64_C(1757217600), "2025-09-06T00:00:00-04:00" },
		/* Set back from 24:00 -03 to 23:00 -04: a 25-hour day. */
		{ INT64_C(1743910200), BUCKET_DAY, INT64_C(1743822000),
		  INT64_C(1743912000), "2025-04-05T00:00:00-03:00" },
	};

	(void)state;
	check_vecs("America/Santiago", v, nitems(v));
	check_change("America/Santiago", INT64_C(1757217600), -14400, -10800);
}

static void
test_invalid_names_are_rejected(void **state)
{
	const char	*bad[] = { "../../etc/passwd", "/etc/passwd",
	    "America/../../../etc/passwd", "America/./New_York", ".", "",
	    "America//New_York", "America/New_York/", ".hidden",
	    "Europe/.Paris", "Europe Paris", "Europe/Paris\n", "Europe/Par*s",
	    "Nowhere/Atlantis", "America" };
	struct tz	*tz;
	char		*cause;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		cause = NULL;
		tz = tz_load(bad[i], &cause);
		if (tz != NULL)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(cause);
		if (strstr(cause, "unknown time zone") == NULL)
			fail_msg("\"%s\": cause \"%s\"", bad[i], cause);
		free(cause);
	}
}

static void
write_file(const char *name, const void *data, size_t len)
{
	char	*path;
	FILE	*f;

	xasprintf(&path, "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("%s: cannot create", path);
	if (len > 0 && fwrite(data, 1, len, f) != len)
		fail_msg("%s: short write", path);
	fclose(f);
	free(path);
}

static void
put32(u_char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A version 2 file with no transitions, one type and this footer. */
static struct tz *
footer_zone(int32_t off, const char *footer)
{
	u_char		 f[256], *p = f;
	struct tz	*tz;
	char		*cause = NULL;
	int		 i;

	for (i = 0; i < 2; i++) {
		memset(p, 0, 44);
		memcpy(p, "TZif2", 5);
		put32(p + 36, 1);		/* typecnt */
		put32(p + 40, 4);		/* charcnt */
		put32(p + 44, (uint32_t)off);
		p[48] = 0;
		p[49] = 0;
		memcpy(p + 50, "XXX", 4);
		p += 54;
	}
	p += snprintf((char *)p, f + sizeof f - p, "\n%s\n", footer);
	write_file("Footer", f, p - f);
	setenv("TZDIR", tmpdir, 1);
	tz = tz_load("Footer", &cause);
	unsetenv("TZDIR");
	if (tz == NULL)
		fail_msg("\"%s\": %s", footer, cause);
	return (tz);
}

static void
test_footer_quoted_fixed_offset(void **state)
{
	struct tz	*tz;
	char		 buf[64];

	(void)state;
	tz = footer_zone(19800, "<+0530>-5:30");
	assert_int_equal(tz_offset(tz, INT64_C(1893456000)), 19800);
	tz_format(tz, INT64_C(1893456000), buf, sizeof buf);
	assert_string_equal(buf, "2030-01-01T05:30:00+05:30");
	tz_free(tz);
}

static void
test_footer_southern_mw_rule(void **state)
{
	struct tz	*tz;

	(void)state;
	tz = footer_zone(36000, "AEST-10AEDT,M10.1.0,M4.1.0/3");
	assert_int_equal(tz_offset(tz, INT64_C(1894665600)), 39600);
	assert_int_equal(tz_offset(tz, INT64_C(1910304000)), 36000);
	assert_int_equal(tz_offset(tz, INT64_C(1901721599)), 39600);
	assert_int_equal(tz_offset(tz, INT64_C(1901721600)), 36000);
	assert_int_equal(tz_offset(tz, INT64_C(1917446399)), 36000);
	assert_int_equal(tz_offset(tz, INT64_C(1917446400)), 39600);
	tz_free(tz);
}

static void
test_footer_julian_days_skip_february_29(void **state)
{
	struct tz	*tz;

	(void)state;
	/* J60 is March 1 even in 2024; J300 is October 27. */
	tz = footer_zone(-10800, "XST3XDT,J60,J300");
	assert_int_equal(tz_offset(tz, INT64_C(1709269199)), -10800);
	assert_int_equal(tz_offset(tz, INT64_C(1709269200)), -7200);
	assert_int_equal(tz_offset(tz, INT64_C(1730001599)), -7200);
	assert_int_equal(tz_offset(tz, INT64_C(1730001600)), -10800);
	tz_free(tz);
}

static void
test_footer_zero_based_days_count_february_29(void **state)
{
	struct tz	*tz;

	(void)state;
	/* Day 59 is February 29 in 2024; day 299 is October 26. */
	tz = footer_zone(-10800, "XST3XDT,59,299");
	assert_int_equal(tz_offset(tz, INT64_C(1709182799)), -10800);
	assert_int_equal(tz_offset(tz, INT64_C(1709182800)), -7200);
	assert_int_equal(tz_offset(tz, INT64_C(1729915199)), -7200);
	assert_int_equal(tz_offset(tz, INT64_C(1729915200)), -10800);
	tz_free(tz);
}

static void
test_footer_times_past_24_and_negative(void **state)
{
	struct tz	*tz;

	(void)state;
	/* Israel: the Thursday before the last Friday, at 26:00. */
	tz = footer_zone(7200, "IST-2IDT,M3.4.4/26,M10.5.0");
	assert_int_equal(tz_offset(tz, INT64_C(1900972799)), 7200);
	assert_int_equal(tz_offset(tz, INT64_C(1900972800)), 10800);
	assert_int_equal(tz_offset(tz, INT64_C(1919285999)), 10800);
	assert_int_equal(tz_offset(tz, INT64_C(1919286000)), 7200);
	tz_free(tz);
	/* Nuuk: the last Sunday of March at -1:00, so Saturday 23:00. */
	tz = footer_zone(-7200, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
	assert_int_equal(tz_offset(tz, INT64_C(1901149199)), -7200);
	assert_int_equal(tz_offset(tz, INT64_C(1901149200)), -3600);
	assert_int_equal(tz_offset(tz, INT64_C(1919293199)), -3600);
	assert_int_equal(tz_offset(tz, INT64_C(1919293200)), -7200);
	tz_free(tz);
}

static void
test_footer_dst_all_year(void **state)
{
	struct tz	*tz;

	(void)state;
	/* RFC 8536 3.3.1's example: DST in force all year, every year. */
	tz = footer_zone(-14400, "EST5EDT,0/0,J365/25");
	assert_int_equal(tz_offset(tz, INT64_C(1893456000)), -14400);
	assert_int_equal(tz_offset(tz, INT64_C(1909094400)), -14400);
	assert_int_equal(tz_offset(tz, INT64_C(1925006399)), -14400);
	assert_int_equal(tz_offset(tz, INT64_C(1925006400)), -14400);
	assert_int_equal(tz_offset(tz, INT64_C(1925010000)), -14400);
	tz_free(tz);
}

static void
test_tzdir_is_honoured(void **state)
{
	struct tz	*tz;
	char		*cause = NULL, *data;
	size_t		 len;
	FILE		*f;

	(void)state;
	if ((f = fopen(ZONEINFO "/America/New_York", "r")) == NULL)
		skip();
	data = xmalloc(65536);
	len = fread(data, 1, 65536, f);
	fclose(f);
	write_file("Copy", data, len);
	free(data);
	setenv("TZDIR", tmpdir, 1);
	tz = tz_load("Copy", &cause);
	assert_non_null(tz);
	assert_int_equal(tz_offset(tz, INT64_C(1763029230)), -18000);
	tz_free(tz);
	assert_null(tz_load("America/New_York", &cause));
	free(cause);
	unsetenv("TZDIR");
}

/* Load name from tmpdir; if it loads at all, use it. */
static int
try_load(const char *name)
{
	struct tz	*tz;
	char		*cause = NULL, buf[64];
	int64_t		 s;

	setenv("TZDIR", tmpdir, 1);
	tz = tz_load(name, &cause);
	unsetenv("TZDIR");
	if (tz == NULL) {
		assert_non_null(cause);
		free(cause);
		return (-1);
	}
	s = tz_bucket(tz, INT64_C(1763029230), BUCKET_DAY);
	tz_bucket_next(tz, s, BUCKET_DAY);
	s = tz_bucket(tz, INT64_C(2225016000), BUCKET_HOUR);
	tz_bucket_next(tz, s, BUCKET_HOUR);
	tz_format(tz, s, buf, sizeof buf);
	tz_free(tz);
	return (0);
}

static void
test_garbage_and_truncated_files_are_errors(void **state)
{
	static const char	 text[] = "not a time zone at all\n";
	u_char			 head[44];
	char			*data;
	size_t			 len, i;
	FILE			*f;

	(void)state;
	write_file("Empty", "", 0);
	assert_int_equal(try_load("Empty"), -1);
	write_file("Text", text, sizeof text - 1);
	assert_int_equal(try_load("Text"), -1);
	/* A header whose counts promise far more than there is. */
	memset(head, 0, sizeof head);
	memcpy(head, "TZif2", 5);
	put32(head + 32, 0xffffffff);
	put32(head + 36, 1);
	write_file("Counts", head, sizeof head);
	assert_int_equal(try_load("Counts"), -1);

	if ((f = fopen(ZONEINFO "/America/New_York", "r")) == NULL)
		skip();
	data = xmalloc(65536);
	len = fread(data, 1, 65536, f);
	fclose(f);
	/* Every proper prefix is an error, never a crash. */
	for (i = 0; i < len; i++) {
		write_file("Cut", data, i);
		if (try_load("Cut") != -1)
			fail_msg("a %zu-byte prefix was accepted", i);
	}
	write_file("Cut", data, len);
	assert_int_equal(try_load("Cut"), 0);
	free(data);
}

static void
test_corrupt_bytes_never_crash(void **state)
{
	static const u_char	 vals[] = { 0x00, 0x7f, 0xff };
	char			*data;
	size_t			 len, i, j;
	FILE			*f;
	u_char			 saved;

	(void)state;
	if ((f = fopen(ZONEINFO "/Australia/Lord_Howe", "r")) == NULL)
		skip();
	data = xmalloc(65536);
	len = fread(data, 1, 65536, f);
	fclose(f);
	for (i = 0; i < len; i++) {
		saved = data[i];
		for (j = 0; j < nitems(vals); j++) {
			data[i] = vals[j];
			write_file("Flip", data, len);
			try_load("Flip");
		}
		data[i] = saved;
	}
	free(data);
}

static int
setup(void **state)
{
	(void)state;
	unsetenv("TZDIR");
	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	return (0);
}

static int
teardown(void **state)
{
	const char	*names[] = { "Empty", "Text", "Counts", "Cut", "Flip",
	    "Footer", "Copy" };
	char		*path;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(names); i++) {
		xasprintf(&path, "%s/%s", tmpdir, names[i]);
		unlink(path);
		free(path);
	}
	rmdir(tmpdir);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc_names_are_the_builtin_zone),
		cmocka_unit_test(test_utc_buckets_equal_date_bucket),
		cmocka_unit_test(test_utc_label_ends_in_z),
		cmocka_unit_test(test_new_york_is_not_utc),
		cmocka_unit_test(test_new_york_day_starts_at_local_midnight),
		cmocka_unit_test(test_new_york_spring_forward_day_has_23_hours),
		cmocka_unit_test(test_new_york_fall_back_day_has_25_hours),
		cmocka_unit_test(test_new_york_hours_are_real_hours_across_dst),
		cmocka_unit_test(test_new_york_week_starts_monday_local),
		cmocka_unit_test(test_new_york_month_starts_local_across_dst),
		cmocka_unit_test(test_new_york_offsets_either_side_of_changes),
		cmocka_unit_test(test_new_york_2040_comes_from_the_footer_rule),
		cmocka_unit_test(test_sydney_2045_southern_rule_wraps_the_year),
		cmocka_unit_test(test_london_days_around_its_changes),
		cmocka_unit_test(test_kolkata_midnight_is_1830_utc),
		cmocka_unit_test(test_kathmandu_is_0545),
		cmocka_unit_test(test_lord_howe_shifts_half_an_hour),
		cmocka_unit_test(test_santiago_midnight_gap_starts_day_at_0100),
		cmocka_unit_test(test_invalid_names_are_rejected),
		cmocka_unit_test(test_footer_quoted_fixed_offset),
		cmocka_unit_test(test_footer_southern_mw_rule),
		cmocka_unit_test(test_footer_julian_days_skip_february_29),
		cmocka_unit_test(test_footer_zero_based_days_count_february_29),
		cmocka_unit_test(test_footer_times_past_24_and_negative),
		cmocka_unit_test(test_footer_dst_all_year),
		cmocka_unit_test(test_tzdir_is_honoured),
		cmocka_unit_test(test_garbage_and_truncated_files_are_errors),
		cmocka_unit_test(test_corrupt_bytes_never_crash),
	};

	return (cmocka_run_group_tests_name("tz", tests, setup, teardown));
}
