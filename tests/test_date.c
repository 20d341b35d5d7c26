/*
 * date.c: feed dates to UTC epoch seconds, ISO output, bucket arithmetic.
 * Every expected epoch below was computed independently (Python's
 * calendar.timegm) when the test was written, never taken from date.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mentiond.h"

typedef int (*parse_fn)(const char *, int64_t *);

/* 2025-11-13T10:20:30Z, a Thursday: the instant most vectors name. */
#define T_20251113_102030	INT64_C(1763029230)
#define T_20251113		INT64_C(1762992000)

static void
parses_to(parse_fn fn, const char *s, int64_t want)
{
	int64_t	got = INT64_MIN;

	if (fn(s, &got) != 0)
		fail_msg("\"%s\" was rejected, want %lld", s, (long long)want);
	if (got != want)
		fail_msg("\"%s\": got %lld, want %lld", s, (long long)got,
		    (long long)want);
}

static void
rejects(parse_fn fn, const char *s)
{
	int64_t	got = INT64_MIN;

	if (fn(s, &got) == 0)
		fail_msg("\"%s\" was accepted as %lld", s, (long long)got);
}

/* Both the specific parser and the dispatching date_parse. */
static void
rfc822_is(const char *s, int64_t want)
{
	parses_to(date_parse_rfc822, s, want);
	parses_to(date_parse, s, want);
}

static void
iso_is(const char *s, int64_t want)
{
	parses_to(date_parse_iso8601, s, want);
	parses_to(date_parse, s, want);
}

static void
iso_string(int64_t t, const char *want)
{
	char	buf[64];

	memset(buf, 'x', sizeof buf);
	date_iso(t, buf, sizeof buf);
	assert_string_equal(buf, want);
}

/* RFC 822 ------------------------------------------------------------- */

static void
test_rfc822_gmt_ut_utc_and_z_are_utc(void **state)
{
	(void)state;
	rfc822_is("Thu, 13 Nov 2025 10:20:30 GMT", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 10:20:30 UT", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 10:20:30 UTC", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 10:20:30 Z", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 10:20:30 +0000", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 10:20:30 -0000", T_20251113_102030);
}

/* Local time minus the offset is UTC, also across a date line. */
static void
test_rfc822_numeric_offset_is_applied(void **state)
{
	(void)state;
	rfc822_is("Thu, 13 Nov 2025 15:50:30 +0530", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 02:20:30 -0800", T_20251113_102030);
	/* 2025-11-13T07:00:00Z */
	rfc822_is("Wed, 12 Nov 2025 23:00:00 -0800", INT64_C(1763017200));
	/* 2025-11-12T21:30:00Z */
	rfc822_is("Thu, 13 Nov 2025 03:00:00 +0530", INT64_C(1762983000));
}

static void
test_rfc822_us_zone_names_are_applied(void **state)
{
	(void)state;
	rfc822_is("Thu, 13 Nov 2025 05:20:30 EST", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 06:20:30 EDT", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 04:20:30 CST", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 05:20:30 CDT", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 03:20:30 MST", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 04:20:30 MDT", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 02:20:30 PST", T_20251113_102030);
	rfc822_is("Thu, 13 Nov 2025 03:20:30 PDT", T_20251113_102030);
}

static void
test_rfc822_weekday_is_optional(void **state)
{
	(void)state;
	rfc822_is("13 Nov 2025 10:20:30 GMT", T_20251113_102030);
	rfc822_is("13 Nov 2025 15:50:30 +0530", T_20251113_102030);
}

static void
test_rfc822_seconds_are_optional(void **state)
{
	(void)state;
	/* 2025-11-13T10:20:00Z */
	rfc822_is("Thu, 13 Nov 2025 10:20 GMT", INT64_C(1763029200));
	rfc822_is("Thu, 13 Nov 2025 05:20 -0500", INT64_C(1763029200));
}

/* A date without a time is that day's midnight UTC. */
static void
test_rfc822_time_is_optional(void **state)
{
	(void)state;
	rfc822_is("Thu, 13 Nov 2025", T_20251113);
	rfc822_is("13 Nov 2025", T_20251113);
}

static void
test_rfc822_missing_zone_is_utc(void **state)
{
	(void)state;
	rfc822_is("Thu, 13 Nov 2025 10:20:30", T_20251113_102030);
}

/* RFC 2822 section 4.3: 00-49 are 20xx, 50-99 are 19xx. */
static void
test_rfc822_two_digit_year_pivots_at_50(void **state)
{
	(void)state;
	rfc822_is("Thu, 13 Nov 25 10:20:30 GMT", T_20251113_102030);
	rfc822_is("Fri, 01 Jan 99 00:00:00 GMT", INT64_C(915148800));
	rfc822_is("Wed, 01 Jan 69 00:00:00 GMT", INT64_C(-31536000));
	rfc822_is("01 Jun 49 00:00:00 GMT", INT64_C(2506118400));
	rfc822_is("01 Jun 50 00:00:00 GMT", INT64_C(-618105600));
}

static void
test_rfc822_full_month_and_weekday_names(void **state)
{
	(void)state;
	rfc822_is("Thursday, 13 November 2025 10:20:30 GMT",
	    T_20251113_102030);
	rfc822_is("13 November 2025 10:20:30 GMT", T_20251113_102030);
}

static void
test_rfc822_names_are_case_insensitive(void **state)
{
	(void)state;
	rfc822_is("THU, 13 NOV 2025 10:20:30 gmt", T_20251113_102030);
	rfc822_is("thu, 13 nov 2025 05:20:30 est", T_20251113_102030);
}

static void
test_rfc822_single_digit_day(void **state)
{
	(void)state;
	/* 2025-11-01T00:00:00Z */
	rfc822_is("Sat, 1 Nov 2025 00:00:00 GMT", INT64_C(1761955200));
	rfc822_is("1 Nov 2025", INT64_C(1761955200));
}

/* RFC 3339 / ISO 8601 ------------------------------------------------- */

static void
test_rfc3339_z_is_utc(void **state)
{
	(void)state;
	iso_is("2025-11-13T10:20:30Z", T_20251113_102030);
	iso_is("2025-11-13T10:20:30+00:00", T_20251113_102030);
	iso_is("2025-11-13T10:20:30-00:00", T_20251113_102030);
}

/* Fractions of a second are dropped (truncated, never rounded up). */
static void
test_rfc3339_fraction_is_truncated(void **state)
{
	(void)state;
	iso_is("2025-11-13T10:20:30.5Z", T_20251113_102030);
	iso_is("2025-11-13T10:20:30.123456Z", T_20251113_102030);
	iso_is("2025-11-13T10:20:30.999999999Z", T_20251113_102030);
	iso_is("2025-11-13T15:50:30.250+05:30", T_20251113_102030);
}

static void
test_rfc3339_offsets_are_applied(void **state)
{
	(void)state;
	iso_is("2025-11-13T15:50:30+05:30", T_20251113_102030);
	iso_is("2025-11-13T02:20:30-08:00", T_20251113_102030);
	/* -08:00 pushing UTC into the next day: 2025-11-13T07:00:00Z */
	iso_is("2025-11-12T23:00:00-08:00", INT64_C(1763017200));
}

static void
test_rfc3339_date_only_is_midnight_utc(void **state)
{
	(void)state;
	iso_is("2025-11-13", T_20251113);
}

static void
test_rfc3339_year_month_is_first_of_month(void **state)
{
	(void)state;
	iso_is("2025-11", INT64_C(1761955200));
}

/* W3C-DTF: hours and minutes without seconds. */
static void
test_w3cdtf_minutes_without_seconds(void **state)
{
	(void)state;
	/* 2025-11-13T10:20:00Z */
	iso_is("2025-11-13T10:20Z", INT64_C(1763029200));
	iso_is("2025-11-13T15:50+05:30", INT64_C(1763029200));
}

static void
test_rfc3339_missing_zone_is_utc(void **state)
{
	(void)state;
	iso_is("2025-11-13T10:20:30", T_20251113_102030);
}

/* Rejections -------------------------------------------------------- */

static void
test_rejects_bad_month(void **state)
{
	(void)state;
	rejects(date_parse_iso8601, "2025-13-01");
	rejects(date_parse_iso8601, "2025-00-10");
	rejects(date_parse, "2025-13-01T00:00:00Z");
	rejects(date_parse_rfc822, "Thu, 13 Foo 2025 10:20:30 GMT");
	rejects(date_parse, "13 Noe 2025 10:20:30 GMT");
}

static void
test_rejects_day_31_in_april(void **state)
{
	(void)state;
	rejects(date_parse_iso8601, "2025-04-31");
	rejects(date_parse, "2025-04-31T00:00:00Z");
	rejects(date_parse_rfc822, "Thu, 31 Apr 2025 10:00:00 GMT");
	rejects(date_parse, "31 Apr 2025");
	rejects(date_parse, "2025-11-00");
}

static void
test_rejects_hour_25(void **state)
{
	(void)state;
	rejects(date_parse_iso8601, "2025-11-13T25:00:00Z");
	rejects(date_parse, "2025-11-13T25:00:00Z");
	rejects(date_parse_rfc822, "Thu, 13 Nov 2025 25:00:00 GMT");
	rejects(date_parse, "Thu, 13 Nov 2025 25:00:00 GMT");
}

static void
test_rejects_minute_61(void **state)
{
	(void)state;
	rejects(date_parse_iso8601, "2025-11-13T10:61:00Z");
	rejects(date_parse, "2025-11-13T10:61:00Z");
	rejects(date_parse_rfc822, "Thu, 13 Nov 2025 10:61:00 GMT");
	rejects(date_parse, "Thu, 13 Nov 2025 10:61:00 GMT");
	rejects(date_parse, "2025-11-13T10:60:00Z");
	rejects(date_parse, "Thu, 13 Nov 2025 10:60 GMT");
	rejects(date_parse, "2025-11-13T10:20:61Z");
}

/* An offset is at most 23:59 either way; it never wraps around. */
static void
test_rejects_offset_out_of_range(void **state)
{
	(void)state;
	rejects(date_parse_rfc822, "Thu, 13 Nov 2025 10:20:30 -9999");
	rejects(date_parse, "Thu, 13 Nov 2025 10:20:30 -9999");
	rejects(date_parse, "Thu, 13 Nov 2025 10:20:30 +2400");
	rejects(date_parse, "Thu, 13 Nov 2025 10:20:30 +0560");
	rejects(date_parse_iso8601, "2025-11-13T10:20:30-99:99");
	rejects(date_parse, "2025-11-13T10:20:30+24:00");
	rejects(date_parse, "2025-11-13T10:20:30+05:60");
}

static void
test_rejects_trailing_garbage(void **state)
{
	(void)state;
	rejects(date_parse_iso8601, "2025-11-13T10:20:30Z junk");
	rejects(date_parse, "2025-11-13T10:20:30Z junk");
	rejects(date_parse, "2025-11-13x");
	rejects(date_parse, "2025-11-13T10:20:30+05:30:00");
	rejects(date_parse_rfc822, "Thu, 13 Nov 2025 10:20:30 GMT junk");
	rejects(date_parse, "Thu, 13 Nov 2025 10:20:30 +0000 junk");
	rejects(date_parse, "Thu, 13 Nov 2025 10:20:30 GMT 2025");
}

static void
test_rejects_empty_string(void **state)
{
	(void)state;
	rejects(date_parse, "");
	rejects(date_parse, "   ");
	rejects(date_parse_rfc822, "");
	rejects(date_parse_iso8601, "");
	rejects(date_parse, "not a date");
}

/* Each parser takes only its own form. */
static void
test_parsers_reject_each_others_form(void **state)
{
	(void)state;
	rejects(date_parse_iso8601, "Thu, 13 Nov 2025 10:20:30 GMT");
	rejects(date_parse_rfc822, "2025-11-13T10:20:30Z");
}

/* Calendar -------------------------------------------------------------- */

/* Gregorian leap years: every 4th, but not centuries unless / 400. */
static void
test_february_29_only_in_leap_years(void **state)
{
	(void)state;
	/* 2024-02-29T12:00:00Z */
	iso_is("2024-02-29T12:00:00Z", INT64_C(1709208000));
	rfc822_is("Thu, 29 Feb 2024 12:00:00 GMT", INT64_C(1709208000));
	/* 2000-02-29 */
	iso_is("2000-02-29", INT64_C(951782400));
	rejects(date_parse, "2025-02-29");
	rejects(date_parse, "29 Feb 2025");
	rejects(date_parse, "1900-02-29");
	rejects(date_parse, "2024-02-30");
}

static void
test_dates_before_1970_are_negative(void **state)
{
	(void)state;
	iso_is("1969-12-31T23:59:59Z", INT64_C(-1));
	iso_is("1960-03-15T01:02:03Z", INT64_C(-309221877));
	rfc822_is("Sun, 20 Jul 1969 20:17:40 GMT", INT64_C(-14182940));
	iso_is("1900-01-01", INT64_C(-2208988800));
}

static void
test_civil_known_days(void **state)
{
	(void)state;
	assert_int_equal(date_from_civil(1970, 1, 1), 0);
	assert_int_equal(date_from_civil(1969, 12, 31), -1);
	assert_int_equal(date_from_civil(2000, 2, 29), 11016);
	assert_int_equal(date_from_civil(2025, 11, 13), 20405);
	assert_int_equal(date_from_civil(1900, 1, 1), -25567);
	assert_int_equal(date_from_civil(1601, 1, 1), -134774);
	assert_int_equal(date_mktime(2025, 11, 13, 10, 20, 30),
	    T_20251113_102030);
}

static void
test_civil_to_date_known_days(void **state)
{
	int64_t	y;
	int	m, d;

	(void)state;
	date_to_civil(0, &y, &m, &d);
	assert_true(y == 1970 && m == 1 && d == 1);
	date_to_civil(-1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
	date_to_civil(11016, &y, &m, &d);
	assert_true(y == 2000 && m == 2 && d == 29);
	date_to_civil(-134774, &y, &m, &d);
	assert_true(y == 1601 && m == 1 && d == 1);
}

/* Walking day by day over 1600-2400, every day follows the previous one. */
static void
test_civil_round_trip_is_consecutive(void **state)
{
	int64_t	z, y, py;
	int	m, d, pm, pd;

	(void)state;
	z = date_from_civil(1600, 1, 1);
	date_to_civil(z, &py, &pm, &pd);
	assert_true(py == 1600 && pm == 1 && pd == 1);
	for (z++; z < date_from_civil(2400, 1, 1); z++) {
		date_to_civil(z, &y, &m, &d);
		if (date_from_civil(y, m, d) != z)
			fail_msg("day %lld does not round-trip", (long long)z);
		if (!((y == py && m == pm && d == pd + 1) ||
		    (y == py && m == pm + 1 && d == 1) ||
		    (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31)))
			fail_msg("%lld-%02d-%02d follows %lld-%02d-%02d",
			    (long long)y, m, d, (long long)py, pm, pd);
		py = y;
		pm = m;
		pd = d;
	}
	assert_true(py == 2399 && pm == 12 && pd == 31);
}

/* ISO output ---------------------------------------------------------- */

static void
test_iso_formats_utc_with_z(void **state)
{
	(void)state;
	iso_string(0, "1970-01-01T00:00:00Z");
	iso_string(T_20251113_102030, "2025-11-13T10:20:30Z");
	iso_string(T_20251113, "2025-11-13T00:00:00Z");
	iso_string(INT64_C(1709208000), "2024-02-29T12:00:00Z");
}

static void
test_iso_formats_before_1970(void **state)
{
	(void)state;
	iso_string(-1, "1969-12-31T23:59:59Z");
	iso_string(INT64_C(-14182940), "1969-07-20T20:17:40Z");
	iso_string(INT64_C(-86400), "1969-12-31T00:00:00Z");
}

/* Buckets -------------------------------------------------------------- */

static void
test_bucket_hour_floors_to_the_hour(void **state)
{
	(void)state;
	/* 2025-11-13T05:30:15Z -> 05:00:00Z */
	assert_int_equal(date_bucket(INT64_C(1763011815), BUCKET_HOUR),
	    INT64_C(1763010000));
	assert_int_equal(date_bucket(INT64_C(1763010000), BUCKET_HOUR),
	    INT64_C(1763010000));
	assert_int_equal(date_bucket(-1, BUCKET_HOUR), -3600);
}

static void
test_bucket_day_floors_to_midnight_utc(void **state)
{
	(void)state;
	assert_int_equal(date_bucket(T_20251113_102030, BUCKET_DAY),
	    T_20251113);
	assert_int_equal(date_bucket(T_20251113, BUCKET_DAY), T_20251113);
	assert_int_equal(date_bucket(T_20251113 - 1, BUCKET_DAY),
	    T_20251113 - 86400);
	/* 1969-12-31T12:00:00Z -> 1969-12-31T00:00:00Z */
	assert_int_equal(date_bucket(-43200, BUCKET_DAY), -86400);
}

/* Sunday 2025-11-16T23:59:59Z is in the week of Monday 2025-11-10. */
static void
test_bucket_week_puts_sunday_in_the_week_before(void **state)
{
	(void)state;
	assert_int_equal(date_bucket(INT64_C(1763337599), BUCKET_WEEK),
	    INT64_C(1762732800));
	/* Thursday 2025-11-13 too */
	assert_int_equal(date_bucket(T_20251113_102030, BUCKET_WEEK),
	    INT64_C(1762732800));
}

/* Monday 2025-11-17T00:00:00Z starts its own week, and so does 10:00. */
static void
test_bucket_week_starts_on_monday(void **state)
{
	(void)state;
	assert_int_equal(date_bucket(INT64_C(1763337600), BUCKET_WEEK),
	    INT64_C(1763337600));
	assert_int_equal(date_bucket(INT64_C(1763373600), BUCKET_WEEK),
	    INT64_C(1763337600));
}

/* Wednesday 1969-12-31 is in the week of Monday 1969-12-29. */
static void
test_bucket_week_before_1970(void **state)
{
	(void)state;
	assert_int_equal(date_bucket(-43200, BUCKET_WEEK), -259200);
	assert_int_equal(date_bucket(0, BUCKET_WEEK), -259200);
}

static void
test_bucket_month_floors_to_the_first(void **state)
{
	(void)state;
	/* 2025-11-30T23:59:59Z -> 2025-11-01 */
	assert_int_equal(date_bucket(INT64_C(1764547199), BUCKET_MONTH),
	    INT64_C(1761955200));
	assert_int_equal(date_bucket(INT64_C(1761955200), BUCKET_MONTH),
	    INT64_C(1761955200));
	/* 2024-02-29T12:00:00Z -> 2024-02-01 */
	assert_int_equal(date_bucket(INT64_C(1709208000), BUCKET_MONTH),
	    INT64_C(1706745600));
	/* 1969-12-31T12:00:00Z -> 1969-12-01 (-31 days) */
	assert_int_equal(date_bucket(-43200, BUCKET_MONTH), -31 * 86400);
}

static void
test_bucket_next_hour_day_week(void **state)
{
	(void)state;
	assert_int_equal(date_bucket_next(INT64_C(1763010000), BUCKET_HOUR),
	    INT64_C(1763013600));
	assert_int_equal(date_bucket_next(T_20251113, BUCKET_DAY),
	    T_20251113 + 86400);
	/* Monday 2025-11-10 -> Monday 2025-11-17 */
	assert_int_equal(date_bucket_next(INT64_C(1762732800), BUCKET_WEEK),
	    INT64_C(1763337600));
}

/* December's next month is January of the next year. */
static void
test_bucket_next_month_crosses_the_year(void **state)
{
	(void)state;
	/* 2025-12-01 -> 2026-01-01 */
	assert_int_equal(date_bucket_next(INT64_C(1764547200), BUCKET_MONTH),
	    INT64_C(1767225600));
	/* 1969-12-01 -> 1970-01-01 */
	assert_int_equal(date_bucket_next(-31 * 86400, BUCKET_MONTH), 0);
}

static void
test_bucket_next_month_follows_month_lengths(void **state)
{
	(void)state;
	/* 2024-02-01 -> 2024-03-01 (29 days) */
	assert_int_equal(date_bucket_next(INT64_C(1706745600), BUCKET_MONTH),
	    INT64_C(1709251200));
	/* 2025-11-01 -> 2025-12-01 (30 days) */
	assert_int_equal(date_bucket_next(INT64_C(1761955200), BUCKET_MONTH),
	    INT64_C(1764547200));
	/* 2025-01-01 -> 2025-02-01 (31 days) */
	assert_int_equal(date_bucket_next(INT64_C(1738368000) - 31 * 86400,
	    BUCKET_MONTH), INT64_C(1738368000));
}

static void
test_bucket_names_round_trip(void **state)
{
	static const char	*names[] = { "hour", "day", "week", "month" };
	enum bucket		 b;
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems(names); i++) {
		assert_int_equal(date_bucket_name(names[i], &b), 0);
		assert_string_equal(date_bucket_str(b), names[i]);
	}
	assert_int_equal(date_bucket_name("fortnight", &b), -1);
	assert_int_equal(date_bucket_name("", &b), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc822_gmt_ut_utc_and_z_are_utc),
		cmocka_unit_test(test_rfc822_numeric_offset_is_applied),
		cmocka_unit_test(test_rfc822_us_zone_names_are_applied),
		cmocka_unit_test(test_rfc822_weekday_is_optional),
		cmocka_unit_test(test_rfc822_seconds_are_optional),
		cmocka_unit_test(test_rfc822_time_is_optional),
		cmocka_unit_test(test_rfc822_missing_zone_is_utc),
		cmocka_unit_test(test_rfc822_two_digit_year_pivots_at_50),
		cmocka_unit_test(test_rfc822_full_month_and_weekday_names),
		cmocka_unit_test(test_rfc822_names_are_case_insensitive),
		cmocka_unit_test(test_rfc822_single_digit_day),
		cmocka_unit_test(test_rfc3339_z_is_utc),
		cmocka_unit_test(test_rfc3339_fraction_is_truncated),
		cmocka_unit_test(test_rfc3339_offsets_are_applied),
		cmocka_unit_test(test_rfc3339_date_only_is_midnight_utc),
		cmocka_unit_test(test_rfc3339_year_month_is_first_of_month),
		cmocka_unit_test(test_w3cdtf_minutes_without_seconds),
		cmocka_unit_test(test_rfc3339_missing_zone_is_utc),
		cmocka_unit_test(test_rejects_bad_month),
		cmocka_unit_test(test_rejects_day_31_in_april),
		cmocka_unit_test(test_rejects_hour_25),
		cmocka_unit_test(test_rejects_minute_61),
		cmocka_unit_test(test_rejects_offset_out_of_range),
		cmocka_unit_test(test_rejects_trailing_garbage),
		cmocka_unit_test(test_rejects_empty_string),
		cmocka_unit_test(test_parsers_reject_each_others_form),
		cmocka_unit_test(test_february_29_only_in_leap_years),
		cmocka_unit_test(test_dates_before_1970_are_negative),
		cmocka_unit_test(test_civil_known_days),
		cmocka_unit_test(test_civil_to_date_known_days),
		cmocka_unit_test(test_civil_round_trip_is_consecutive),
		cmocka_unit_test(test_iso_formats_utc_with_z),
		cmocka_unit_test(test_iso_formats_before_1970),
		cmocka_unit_test(test_bucket_hour_floors_to_the_hour),
		cmocka_unit_test(test_bucket_day_floors_to_midnight_utc),
		cmocka_unit_test(test_bucket_week_puts_sunday_in_the_week_before),
		cmocka_unit_test(test_bucket_week_starts_on_monday),
		cmocka_unit_test(test_bucket_week_before_1970),
		cmocka_unit_test(test_bucket_month_floors_to_the_first),
		cmocka_unit_test(test_bucket_next_hour_day_week),
		cmocka_unit_test(test_bucket_next_month_crosses_the_year),
		cmocka_unit_test(test_bucket_next_month_follows_month_lengths),
		cmocka_unit_test(test_bucket_names_round_trip),
	};

	return (cmocka_run_group_tests_name("date", tests, NULL, NULL));
}
